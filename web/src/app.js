// app.js: the logic of bogie's web page: draws the country outlines and the rail network (by gauge) on a Leaflet
// map, fills the journey form from bogie's HTTP API (docs/api.md), plans a journey and shows its route, timetable
// and speed chart. Plain browser JavaScript; Leaflet (L) and topojson-client (topojson) are loaded before it.
'use strict';

// --- small helpers ----------------------------------------------------------------------------------------------

const $ = (sel) => document.querySelector(sel);
const cssVar = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

// el('td', {class: 'num'}, 'text', childNode): builds an element; children are strings or nodes.
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined && c !== '') node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

// Escapes text for the HTML of tooltips, which Leaflet takes as a string.
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

class ApiError extends Error {
  constructor(message, code, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

// Calls bogie's API (paths relative to the page, so it also works behind a path prefix) and returns the JSON answer;
// an error answer throws an ApiError carrying the API's code and message.
async function api(path, params = [], signal) {
  const url = new URL(path, document.baseURI);
  for (const [k, v] of params) url.searchParams.append(k, v);
  let res;
  try {
    res = await fetch(url, { signal });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError("bogie's server cannot be reached; is `bogie serve` running?", 'Unreachable', 0);
  }
  let body = null;
  try {
    body = await res.json();
  } catch {
    /* not JSON: reported below */
  }
  if (!res.ok || body === null) {
    throw new ApiError(body?.message || `the server answered ${res.status} ${res.statusText}`, body?.code, res.status);
  }
  return body;
}

// "24 h 15 min", "2 h", "30 min", "0 min" from seconds.
function duration(s) {
  const m = Math.round(s / 60);
  const h = Math.floor(m / 60);
  if (h === 0) return `${m} min`;
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

// Local wall-clock parts of an ISO 8601 time with offset, as the API gives them ("2023-09-11T05:58:26+09:00").
// Times are truncated to the minute, as the command line prints them.
const isoDate = (iso) => iso.slice(0, 10);
const isoClock = (iso) => iso.slice(11, 16);
function longDate(iso) {
  const [y, m, d] = isoDate(iso).split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString('en-GB', {
    weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC',
  });
}
const dayNumber = (iso) => Date.UTC(...isoDate(iso).split('-').map((v, i) => Number(v) - (i === 1 ? 1 : 0))) / 864e5;

let regionNames = null;
try {
  regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
} catch {
  /* old browser: codes only */
}
const countryName = (code) => {
  try {
    return regionNames?.of(code) || code;
  } catch {
    return code;
  }
};

// --- the map ------------------------------------------------------------------------------------------------------

// Gauge classes of the legend, and the colour of each (defined in style.css).
const GAUGES = [
  { key: '1435', label: '1435 mm (standard)', colour: cssVar('--g1435') },
  { key: '1520', label: '1520 mm (Russian)', colour: cssVar('--g1520') },
  { key: '1435;1520', label: 'dual 1435 + 1520 mm', colour: cssVar('--gdual') },
  { key: 'other', label: 'other gauge', colour: cssVar('--gother') },
  { key: 'unknown', label: 'gauge unknown', colour: cssVar('--gunknown') },
];
const gaugeColour = (key) => GAUGES.find((g) => g.key === key).colour;

// The legend class of a track's gauge tag: "1435", "1520", "1435;1520" (in any order), "other" or "unknown".
function gaugeKey(gauge) {
  if (!gauge || gauge === 'unknown') return 'unknown';
  const set = String(gauge).split(';').map((g) => g.trim()).filter(Boolean).sort().join(';');
  return ['1435', '1520', '1435;1520'].includes(set) ? set : 'other';
}

// The initial view is the bundled corridor (Pyongyang to Vladivostok); it is fitted to the network once it loads.
const map = L.map('map', { zoomSnap: 0.5, minZoom: 2, maxZoom: 16, worldCopyJump: true }).setView([41.4, 128.9], 6);
map.attributionControl.addAttribution('Countries: Natural Earth · Railways: © OpenStreetMap contributors');

// Panes, bottom to top: countries (canvas, cheap to redraw), network, station dots, the journey; markers above all.
map.createPane('countries').style.zIndex = 200;
map.createPane('network').style.zIndex = 410;
map.createPane('stations').style.zIndex = 415;
map.createPane('route').style.zIndex = 420;
map.createPane('train').style.zIndex = 650; // above the stop markers (600)

// The base map: Natural Earth's country outlines (world-atlas, 1:50 million) filled pale, with thin borders.
async function loadCountries() {
  const res = await fetch('vendor/countries-50m.json');
  if (!res.ok) throw new Error(`the country outlines did not load (${res.status})`);
  const topo = await res.json();
  L.geoJSON(topojson.feature(topo, topo.objects.countries), {
    pane: 'countries',
    renderer: L.canvas({ pane: 'countries' }),
    interactive: false,
    style: { color: '#a7a9a0', weight: 0.7, fillColor: cssVar('--land'), fillOpacity: 1 },
  }).addTo(map);
  document.body.dataset.countries = 'ready';
}

function trackTooltip(p) {
  const parts = [p.gauge && p.gauge !== 'unknown' ? `${p.gauge.replace(/;/g, ' + ')} mm` : 'gauge unknown'];
  if (p.electrification) parts.push(p.electrification === 'no' ? 'not electrified' : p.electrification);
  if (p.maxspeed_kmh) parts.push(`${Math.round(p.maxspeed_kmh)} km/h`);
  if (p.use) parts.push(p.use);
  if (p.schematic) parts.push('schematic geometry');
  return parts.map(esc).join(' · ');
}

// A popup for a station dot: its names and two buttons that put it into the form.
function stationPopup(p) {
  const box = el('div', { class: 'station-popup' },
    el('strong', {}, p.name), p.local_name && p.local_name !== p.name ? ` ${p.local_name}` : '', el('br'));
  for (const [label, id] of [['From here', 'from'], ['To here', 'to']]) {
    const b = el('button', { type: 'button', class: 'link-button' }, label);
    b.addEventListener('click', () => {
      $(`#${id}`).value = p.name;
      map.closePopup();
    });
    box.append(b, ' ');
  }
  return box;
}

// Draws one GeoJSON answer of /api/network: track by gauge (schematic dashed), breaks of gauge, station dots.
function networkLayer(fc) {
  const group = L.featureGroup();
  const tracks = fc.features.filter((f) => f.properties.kind === 'track');
  L.geoJSON(tracks, {
    pane: 'network',
    style: (f) => ({
      color: gaugeColour(gaugeKey(f.properties.gauge)),
      weight: 3,
      opacity: 0.9,
      dashArray: f.properties.schematic ? '7 5' : null,
      className: 'network-track',
    }),
    onEachFeature: (f, layer) => layer.bindTooltip(trackTooltip(f.properties), { sticky: true }),
  }).addTo(group);
  for (const f of fc.features) {
    const p = f.properties;
    if (f.geometry?.type !== 'Point') continue;
    const [lon, lat] = f.geometry.coordinates;
    if (p.kind === 'station') {
      const local = p.local_name && p.local_name !== p.name ? ` · ${esc(p.local_name)}` : '';
      L.circleMarker([lat, lon], {
        pane: 'stations', radius: 3.5, color: '#1d2433', weight: 1.5, fillColor: '#fff', fillOpacity: 1,
        className: 'network-station',
      }).bindTooltip(`${esc(p.name)}${local}`).bindPopup(() => stationPopup(p)).addTo(group);
    } else if (p.kind === 'break') {
      const where = p.station ? `<br>near ${esc(p.station)}` : '';
      L.marker([lat, lon], {
        icon: L.divIcon({ className: 'break-marker', html: '<div></div>', iconSize: [20, 20] }),
        keyboard: false,
        zIndexOffset: -100,
      }).bindTooltip(`<b>Break of gauge</b>: ${esc(p.gauges)} mm${p.break_kind ? ` (${esc(p.break_kind)})` : ''}${where}`)
        .addTo(group);
    }
  }
  return group;
}

// The network is fetched for the whole extent first (to fit the view), then again for the visible area whenever
// the view leaves the area fetched or zooms in past the detail fetched; an older answer never replaces a newer one.
const network = { layer: null, generation: 0, bounds: null, zoom: -1 };

async function loadNetwork(whole) {
  const generation = ++network.generation;
  const zoom = Math.max(0, Math.round(map.getZoom()));
  const params = [['zoom', zoom]];
  let bounds = null;
  if (!whole) {
    const b = map.getBounds().pad(0.5);
    bounds = L.latLngBounds([Math.max(b.getSouth(), -90), Math.max(b.getWest(), -180)],
      [Math.min(b.getNorth(), 90), Math.min(b.getEast(), 180)]);
    params.push(['bbox', [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
      .map((v) => v.toFixed(4)).join(',')]);
  }
  const fc = await api('api/network', params);
  if (generation !== network.generation) return;
  const layer = networkLayer(fc).addTo(map);
  network.layer?.remove();
  Object.assign(network, { layer, bounds, zoom });
  if (whole && layer.getLayers().length && layer.getBounds().isValid()) {
    map.fitBounds(layer.getBounds(), { padding: [24, 24] });
  }
  document.body.dataset.network = 'ready';
}

map.on('moveend', () => {
  if (document.body.dataset.network !== 'ready') return;
  const inside = network.bounds ? network.bounds.contains(map.getBounds()) : true;
  if (inside && Math.round(map.getZoom()) <= network.zoom) return;
  loadNetwork(false).catch((err) => console.warn('network reload failed:', err.message));
});

// The legend: gauge colours, schematic track, breaks of gauge and the journey's markers. Closed on a phone.
const legend = L.control({ position: 'bottomright' });
legend.onAdd = () => {
  const box = el('details', { class: 'map-legend', open: !matchMedia('(max-width: 760px)').matches },
    el('summary', {}, 'Legend'));
  const list = el('ul');
  for (const g of GAUGES) {
    list.append(el('li', {}, el('span', { class: 'swatch', style: `border-color:${g.colour}` }), g.label));
  }
  list.append(
    el('li', {}, el('span', { class: 'swatch dashed', style: 'border-color:#555' }), 'schematic geometry'),
    el('li', {}, el('span', { class: 'icon break-marker' }, el('div')), 'break of gauge'),
    el('li', {}, el('span', { class: 'swatch', style: 'border-top-width:6px;border-color:#1b2a4a' }), 'your journey'),
  );
  box.append(list);
  L.DomEvent.disableClickPropagation(box);
  L.DomEvent.disableScrollPropagation(box);
  return box;
};
legend.addTo(map);

// --- the form: trains, station autocomplete, vias -------------------------------------------------------------------

const trainSelect = $('#train');
let trains = [];

async function loadTrains(wanted) {
  trains = (await api('api/trains')).trains;
  trainSelect.replaceChildren(...trains.map((t) => el('option', { value: t.name, title: t.title }, t.name)));
  const names = trains.map((t) => t.name);
  trainSelect.value = names.includes(wanted) ? wanted : names.includes('armoured') ? 'armoured' : names[0] || '';
  describeTrain();
}

// One line about the chosen train: what it is, its gauges and how it changes them.
function describeTrain() {
  const t = trains.find((x) => x.name === trainSelect.value);
  if (!t) {
    $('#train-info').textContent = '';
    return;
  }
  const change = !t.gauge_change || t.gauge_change === 'none' ? 'cannot change gauge'
    : `changes by ${t.gauge_change.replace(/_/g, ' ')}${t.change_to?.length ? ` to ${t.change_to.join(' or ')} mm` : ''}`;
  $('#train-info').textContent = `${t.title}. Wheels for ${t.gauges.join(' or ')} mm, ${change}; ` +
    `${t.traction}, at most ${Math.round(t.max_speed_kmh)} km/h.`;
}
trainSelect.addEventListener('change', describeTrain);

// Turns a text input into a combobox that suggests stations from /api/stations as the user types.
function autocomplete(input, list) {
  let items = [];
  let active = -1;
  let timer = 0;
  let controller = null;

  const close = () => {
    list.hidden = true;
    list.replaceChildren();
    items = [];
    active = -1;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  };
  const highlight = (i) => {
    active = i;
    list.querySelectorAll('li').forEach((li, j) => li.setAttribute('aria-selected', String(j === i)));
    if (i >= 0) {
      input.setAttribute('aria-activedescendant', list.children[i].id);
      list.children[i].scrollIntoView({ block: 'nearest' });
    }
  };
  const choose = (i) => {
    input.value = items[i].name;
    close();
    input.dispatchEvent(new Event('change', { bubbles: true }));
  };

  async function suggest() {
    const q = input.value.trim();
    controller?.abort();
    if (!q || /^-?\d/.test(q)) return close(); // coordinates are not looked up
    controller = new AbortController();
    let answer;
    try {
      answer = await api('api/stations', [['q', q], ['limit', 8]], controller.signal);
    } catch (err) {
      if (err.name !== 'AbortError') close();
      return;
    }
    items = answer.stations || [];
    if (!items.length || document.activeElement !== input) return close();
    list.replaceChildren(...items.map((s, i) => {
      const others = [s.local_name, s.matched].filter((n, j, all) => n && n !== s.name && all.indexOf(n) === j);
      return el('li', { id: `${list.id}-${i}`, role: 'option', 'data-index': i, 'aria-selected': 'false' },
        s.quality === 0 ? el('span', { class: 'matched' }, 'did you mean ') : '',
        el('span', { class: 'name' }, s.name),
        others.map((n) => el('span', { class: 'local' }, n)));
    }));
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    highlight(-1);
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, 120);
  });
  input.addEventListener('keydown', (e) => {
    if (list.hidden) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const n = items.length;
      highlight(e.key === 'ArrowDown' ? (active + 1) % n : (active - 1 + n) % n);
    } else if (e.key === 'Enter' && active >= 0) {
      e.preventDefault();
      choose(active);
    } else if (e.key === 'Escape') {
      close();
    }
  });
  input.addEventListener('blur', () => setTimeout(close, 100));
  // Keep the focus in the input when a suggestion is pressed, so that blur does not close the list first.
  list.addEventListener('pointerdown', (e) => e.preventDefault());
  list.addEventListener('click', (e) => {
    const li = e.target.closest('li');
    if (li) choose(Number(li.dataset.index));
  });
}

autocomplete($('#from'), $('#from-list'));
autocomplete($('#to'), $('#to-list'));
autocomplete($('#seen-place'), $('#seen-place-list'));

// Sightings: where and when the train was seen ("Primorskaya" at "2023-09-11T13:48", local time there). The journey
// is re-timed to pass each (docs/journeys.md, "Sightings").
const sightings = [];

function showSightings() {
  $('#sightings').replaceChildren(...sightings.map((x, i) => {
    const remove = el('button', { type: 'button', class: 'remove-via', 'aria-label': `Remove the sighting at ${x.place}` }, '×');
    remove.addEventListener('click', () => {
      sightings.splice(i, 1);
      showSightings();
    });
    return el('li', { class: 'sighting' }, `${x.place} at ${x.time.replace('T', ' ')}`, remove);
  }));
}

$('#add-seen').addEventListener('click', () => {
  const place = $('#seen-place').value.trim();
  const time = $('#seen-time').value;
  if (!place || !time) {
    showError({ code: 'InvalidValue', message: 'a sighting needs a place (a station or lat,lon) and a time.' });
    return;
  }
  hideError();
  sightings.push({ place, time });
  $('#seen-place').value = '';
  showSightings();
});

// Vias: a list of optional stops on the way. The first input is always #via, the next #via-2, #via-3, ...
const vias = $('#vias');

function addVia(value = '') {
  const input = el('input', {
    type: 'text', placeholder: 'Optional: a station to pass', role: 'combobox', 'aria-autocomplete': 'list',
    'aria-expanded': 'false',
    title: 'A station; "Ussuriysk+12h" stops there 12 hours, "Khabarovsk@2023-09-13 09:00" leaves it then (local time)',
  });
  input.value = value;
  const list = el('ul', { class: 'suggestions', role: 'listbox', hidden: true });
  const remove = el('button', { type: 'button', class: 'remove-via', 'aria-label': 'Remove this stop' }, '×');
  const row = el('div', { class: 'via-row' }, el('div', { class: 'field' }, el('label', {}, 'Via'), input, list), remove);
  remove.addEventListener('click', () => {
    // The last remaining via row is emptied rather than removed, so #via is always there.
    if (vias.children.length > 1) row.remove();
    else input.value = '';
    numberVias();
  });
  vias.append(row);
  autocomplete(input, list);
  numberVias();
  return input;
}

function numberVias() {
  [...vias.children].forEach((row, i) => {
    const id = i === 0 ? 'via' : `via-${i + 1}`;
    const input = row.querySelector('input');
    input.id = id;
    input.setAttribute('aria-controls', `${id}-list`);
    row.querySelector('ul').id = `${id}-list`;
    row.querySelector('label').htmlFor = id;
    row.querySelector('label').textContent = vias.children.length > 1 ? `Via ${i + 1}` : 'Via (optional)';
  });
}

$('#add-via').addEventListener('click', () => addVia().focus());

// --- planning and showing a journey ---------------------------------------------------------------------------

const KIND_LABELS = {
  origin: 'departure', destination: 'arrival', via: 'stop', gauge_change: 'gauge change', border: 'border',
  reversal: 'reversal', pass: 'pass', seen: 'seen', halt: 'halt',
};
const kindsOf = (stop) => String(stop.kinds || '').split(',').map((k) => k.trim()).filter(Boolean);

// The query for /api/journey from the form, names as typed; empty vias are left out.
function journeyParams() {
  const params = [['from', $('#from').value.trim()]];
  for (const input of vias.querySelectorAll('input')) {
    if (input.value.trim()) params.push(['via', input.value.trim()]);
  }
  params.push(['to', $('#to').value.trim()], ['train', trainSelect.value]);
  const depart = $('#depart').value; // "2023-09-10T15:00": the API takes the origin's local time as "2023-09-10 15:00"
  if (depart) params.push(['depart', depart.replace('T', ' ')]);
  for (const x of sightings) params.push(['seen', `${x.place}@${x.time.replace('T', ' ')}`]);
  return params;
}

// Shows an error readably: a heading from the API's code, then its message; a reason of three or more "; "-separated
// parts is shown as a list.
function showError(err) {
  const box = $('#error');
  const heading = {
    NoRoute: 'No route', InvalidValue: 'Please check the journey', Unreachable: 'No connection',
    Timeout: 'The server took too long', Overloaded: 'The server is busy',
  }[err.code] || 'The journey could not be planned';
  const msg = String(err.message || err);
  const text = msg.charAt(0).toUpperCase() + msg.slice(1);
  // Split at "; " outside parentheses.
  const parts = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0 && text.startsWith('; ', i)) {
      parts.push(text.slice(start, i));
      start = i + 2;
    }
  }
  parts.push(text.slice(start));
  const body = parts.length > 2
    ? [el('p', {}, `${parts[0]};`), el('ul', {}, parts.slice(1).map((p) => el('li', {}, p)))]
    : [el('p', {}, text)];
  box.replaceChildren(el('strong', {}, heading), ...body);
  box.hidden = false;
}

function hideError() {
  $('#error').hidden = true;
  $('#error').replaceChildren();
}

let routeLayer = null;

// "05:58 KST" (with "+1" when the local date is a day after the departure's), or "+14:58" after departure when
// the journey has no departure time.
function timeCell(iso, seconds, stop, firstIso) {
  if (iso) {
    const days = firstIso ? dayNumber(iso) - dayNumber(firstIso) : 0;
    return el('span', { class: 'time', title: `${longDate(iso)} ${isoClock(iso)} ${stop.zone || ''}` },
      isoClock(iso), ' ', el('span', { class: 'tz' }, el('span', { class: 'zone' }, stop.zone_abbr || ''),
        days ? el('sup', { class: 'day', title: `${days} day(s) after departure` }, ` +${days}`) : ''));
  }
  const m = Math.floor(seconds / 60);
  return el('span', { class: 'time' }, `+${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}`);
}
const timeText = (iso, seconds, stop) => (iso ? `${isoClock(iso)} ${stop.zone_abbr || ''}`
  : `+${duration(seconds)}`);

// The HTML of a stop's tooltip on the map.
function stopTooltip(stop) {
  const kinds = kindsOf(stop);
  const local = stop.local_name && stop.local_name !== stop.name ? ` ${esc(stop.local_name)}` : '';
  const times = [];
  if (!kinds.includes('origin')) times.push(`${kinds.includes('pass') ? 'passes' : 'arrives'} ${timeText(stop.arrive, stop.arrive_s, stop)}`);
  if (!kinds.includes('destination') && !kinds.includes('pass')) times.push(`departs ${timeText(stop.depart, stop.depart_s, stop)}`);
  const what = kinds.filter((k) => k !== 'pass').map((k) => KIND_LABELS[k] || k).join(', ');
  return `<b>${esc(stop.name)}</b>${local}<br>km ${stop.km.toFixed(1)} · ${esc(times.join(', '))}` +
    (what ? `<br><b>${esc(what)}</b>` : '') + (stop.detail ? `: ${esc(stop.detail)}` : '');
}

// Small white-on-colour icons for the journey's stops.
const ICONS = {
  gauge_change: '<svg viewBox="0 0 16 16" fill="none" stroke="#fff" stroke-width="1.8"><circle cx="8" cy="8" r="6"/>' +
    '<circle cx="8" cy="8" r="1.5" fill="#fff"/><path d="M8 2v4.5M8 9.5V14M2.8 5l3.9 2.2M9.3 8.8l3.9 2.2"/></svg>',
  border: '<svg viewBox="0 0 16 16" stroke="#fff" stroke-width="2"><path d="M3 2v12"/>' +
    '<path d="M3 5h11" stroke-dasharray="2.5 1.5"/></svg>',
  reversal: '<svg viewBox="0 0 16 16" fill="none" stroke="#fff" stroke-width="1.8"><path d="M11 14V6a3 3 0 0 0-6 0v5"/>' +
    '<path d="M2.5 9 5 12l2.5-3"/></svg>',
  seen: '<svg viewBox="0 0 16 16" fill="none" stroke="#fff" stroke-width="1.6"><path d="M1.5 8s2.5-4.5 6.5-4.5S14.5 8 ' +
    '14.5 8 12 12.5 8 12.5 1.5 8 1.5 8z"/><circle cx="8" cy="8" r="2" fill="#fff"/></svg>',
};

function stopIcon(stop, viaNumber) {
  const kinds = kindsOf(stop);
  const html = kinds.includes('origin') ? 'A' : kinds.includes('destination') ? 'B'
    : ICONS[['gauge_change', 'border', 'reversal', 'seen'].find((k) => kinds.includes(k))] || String(viaNumber);
  return L.divIcon({
    className: `stop-marker ${kinds.map((k) => `marker-${k.replace(/_/g, '-')}`).join(' ')}`,
    html,
    iconSize: [26, 26],
  });
}

// Draws the route: a thick line over a white casing, dots for stations passed, a marker for every stop.
function drawRoute(j) {
  routeLayer?.remove();
  routeLayer = L.featureGroup().addTo(map);
  const latlngs = (j.geometry?.coordinates || []).map(([lon, lat]) => [lat, lon]);
  L.polyline(latlngs, { pane: 'route', color: '#fff', weight: 11, opacity: 0.85, interactive: false })
    .addTo(routeLayer);
  L.polyline(latlngs, { pane: 'route', color: '#1b2a4a', weight: 6, opacity: 0.95, className: 'route-line' })
    .bindTooltip(`${esc(j.title || j.train)} · ${j.length_km.toFixed(1)} km`, { sticky: true }).addTo(routeLayer);
  let via = 0;
  for (const stop of j.stops) {
    const kinds = kindsOf(stop);
    if (kinds.includes('via')) via++;
    if (kinds.length === 1 && kinds[0] === 'pass') {
      L.circleMarker([stop.lat, stop.lon], {
        pane: 'route', radius: 3.5, color: '#1b2a4a', weight: 2, fillColor: '#fff', fillOpacity: 1,
        className: 'route-pass',
      }).bindTooltip(stopTooltip(stop), { className: 'stop-tip' }).addTo(routeLayer);
      continue;
    }
    const important = kinds.includes('gauge_change') ? 300 : kinds.includes('border') ? 200 : 100;
    L.marker([stop.lat, stop.lon], { icon: stopIcon(stop, via), zIndexOffset: important, title: stop.name })
      .bindTooltip(stopTooltip(stop), { className: 'stop-tip', direction: 'top', offset: [0, -12] })
      .addTo(routeLayer);
  }
  // Fit the route, keeping it clear of the legend when that is open.
  const legendBox = document.querySelector('.map-legend');
  const right = legendBox?.open ? legendBox.offsetWidth + 24 : 36;
  if (latlngs.length) {
    map.fitBounds(L.latLngBounds(latlngs), { paddingTopLeft: [36, 36], paddingBottomRight: [right, 36] });
  }
}

// An ISO 8601 time with offset moved by `seconds`, at the same offset ("2023-09-10T15:00:00+09:00" + 3600).
function shiftIso(iso, seconds) {
  const off = iso.endsWith('Z') ? 0 : (iso.at(-6) === '-' ? -1 : 1) * (Number(iso.slice(-5, -3)) * 60 + Number(iso.slice(-2)));
  const t = new Date(Date.parse(iso) + seconds * 1000 + off * 60000).toISOString().slice(0, 19);
  return t + (iso.endsWith('Z') ? 'Z' : iso.slice(-6));
}

// A re-timed row's planned time, and how much later (or earlier) it is now.
function plannedCell(stop, kinds) {
  if (stop.planned_arrive_s === undefined) return '';
  const origin = kinds.includes('origin');
  const now = origin ? stop.depart_s : stop.arrive_s;
  const planned = origin ? stop.planned_depart_s : stop.planned_arrive_s;
  const iso = origin ? stop.depart : stop.arrive;
  const late = Math.round((now - planned) / 60);
  return el('span', {}, iso ? timeText(shiftIso(iso, planned - now), planned, stop) : `+${duration(planned)}`,
    late ? el('span', { class: 'late' }, ` (${late > 0 ? '+' : ''}${late} min)`) : '');
}

function fillTimetable(j) {
  const firstIso = j.stops[0]?.depart;
  $('#timetable').classList.toggle('retimed', Boolean(j.sightings));
  const rows = j.stops.map((stop) => {
    const kinds = kindsOf(stop);
    const pass = kinds.length === 1 && kinds[0] === 'pass';
    const arrive = kinds.includes('origin') ? '' : timeCell(stop.arrive, stop.arrive_s, stop, firstIso);
    const depart = kinds.includes('destination') || pass ? '' : timeCell(stop.depart, stop.depart_s, stop, firstIso);
    return el('tr', { class: `${pass ? 'pass' : 'stop'} ${kinds.join(' ')}`, 'data-kinds': kinds.join(',') },
      el('td', { class: 'num' }, stop.km.toFixed(1)),
      el('td', {}, stop.name, stop.local_name && stop.local_name !== stop.name
        ? el('span', { class: 'local' }, stop.local_name) : ''),
      el('td', {}, arrive),
      el('td', {}, depart),
      el('td', { class: 'planned-col' }, plannedCell(stop, kinds)),
      el('td', { class: 'what' },
        kinds.map((k) => el('span', { class: `tag ${k}` }, KIND_LABELS[k] || k)),
        stop.detail ? el('span', { class: 'detail' }, stop.detail) : ''));
  });
  $('#timetable tbody').replaceChildren(...rows);
}

function fillSummary(j) {
  const first = j.stops[0];
  const last = j.stops[j.stops.length - 1];
  $('#journey-title').textContent = `${first.name} → ${last.name}`;
  const when = [`${j.length_km.toFixed(1)} km by ${j.title || j.train}`];
  if (first.depart) {
    when.push(`departs ${longDate(first.depart)} ${isoClock(first.depart)} ${first.zone_abbr}`,
      `arrives ${longDate(last.arrive)} ${isoClock(last.arrive)} ${last.zone_abbr}`);
  }
  $('#journey-when').textContent = when.join(' · ');

  const hours = j.total_s / 3600;
  const totals = [
    ['Total', duration(j.total_s), 'total'],
    ['Moving', duration(j.running_s + (j.allowance_s || 0)), '', j.allowance_s ? `including ${duration(j.allowance_s)} allowance` : ''],
    ['Changing gauge', duration(j.gauge_change_s)],
    ['At borders', duration(j.border_s)],
    ['Dwelling', duration(j.dwell_s)],
    ['Reversing', duration(j.reversal_s)],
    ['Distance', `${j.length_km.toFixed(1)} km`],
    ['Average speed', hours > 0 ? `${(j.length_km / hours).toFixed(1)} km/h` : '–'],
  ];
  $('#totals').replaceChildren(...totals.map(([label, value, cls, title]) =>
    el('div', { class: cls || null, title: title || null }, el('dt', {}, label), el('dd', {}, value))));

  $('#countries').replaceChildren(el('strong', {}, 'Countries: '),
    (j.countries || []).map((c) => `${countryName(c)} (${c})`).join(' → ') || '–');
  $('#warnings').replaceChildren(...(j.warnings || []).map((w) => el('li', {}, w)));
}

// --- the speed-distance chart, drawn from the journey's profile ------------------------------------------------

const SVG_NS = 'http://www.w3.org/2000/svg';
function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

// A "nice" step (1, 2 or 5 times a power of ten) giving about `count` ticks over `span`.
function niceStep(span, count) {
  const raw = span / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw);
}

let chartJourney = null;

function drawChart(j) {
  chartJourney = j;
  const box = $('#chart');
  const width = Math.max(280, Math.round(box.clientWidth || 400));
  const height = 230;
  const m = { left: 42, right: 12, top: 36, bottom: 34 };
  const profile = j.profile || [];
  const maxKm = Math.max(j.length_km, profile.at(-1)?.[0] || 0) || 1;
  const maxV = Math.max(10, ...profile.map((p) => Math.max(p[2], p[3]))) * 1.08;
  const x = (km) => m.left + (km / maxKm) * (width - m.left - m.right);
  const y = (v) => height - m.bottom - (v / maxV) * (height - m.top - m.bottom);
  const root = svg('svg', {
    viewBox: `0 0 ${width} ${height}`, width, height, role: 'img',
    'aria-label': 'Speed and speed limit against distance, with the stops marked',
  });

  // Grid and axes: speed every nice step, distance every nice step.
  const vStep = niceStep(maxV, 4);
  for (let v = 0; v <= maxV; v += vStep) {
    root.append(svg('line', { class: 'grid', x1: m.left, x2: width - m.right, y1: y(v), y2: y(v) }),
      svg('text', { x: m.left - 5, y: y(v) + 4, 'text-anchor': 'end' }, v));
  }
  const kmStep = niceStep(maxKm, Math.max(3, Math.floor((width - m.left) / 70)));
  for (let km = 0; km <= maxKm; km += kmStep) {
    root.append(svg('line', { class: 'grid', x1: x(km), x2: x(km), y1: m.top, y2: height - m.bottom }),
      svg('text', { x: x(km), y: height - m.bottom + 14, 'text-anchor': 'middle' }, km));
  }
  root.append(
    svg('text', { x: width - m.right, y: height - 4, 'text-anchor': 'end', class: 'legend' }, 'km'),
    svg('text', { x: 4, y: 11, class: 'legend' }, 'km/h'),
  );

  // Stops other than stations passed: a dashed vertical line each, and their names where they fit, the most
  // telling kinds placed first (a label is about 6 px a character at this size).
  const stops = j.stops.filter((s) => kindsOf(s).some((k) => k !== 'pass'));
  for (const stop of stops) {
    const line = svg('line', { class: 'stop-line', x1: x(stop.km), x2: x(stop.km), y1: m.top, y2: height - m.bottom });
    line.append(svg('title', {}, `${stop.name}, km ${stop.km.toFixed(1)}: ${kindsOf(stop).map((k) => KIND_LABELS[k] || k).join(', ')}`));
    root.append(line);
  }
  const rank = (s) => ['gauge_change', 'border', 'origin', 'destination', 'reversal', 'via']
    .findIndex((k) => kindsOf(s).includes(k));
  const placed = [];
  for (const stop of [...stops].sort((a, b) => rank(a) - rank(b))) {
    const w = stop.name.length * 6 + 4;
    const left = Math.min(Math.max(x(stop.km) - w / 2, 0), width - w);
    if (placed.some(([l, r]) => left < r && left + w > l)) continue;
    placed.push([left, left + w]);
    root.append(svg('text', { class: 'stop-label', x: left + w / 2, y: m.top - 6, 'text-anchor': 'middle' }, stop.name));
  }

  // The limit (a broad pale red band) under the speed (a thin dark line).
  const points = (col) => profile.map((p) => `${x(p[0]).toFixed(1)},${y(p[col]).toFixed(1)}`).join(' ');
  root.append(svg('polyline', { class: 'limit', points: points(3) }), svg('polyline', { class: 'speed', points: points(2) }));
  const key = svg('g', { transform: `translate(${m.left + 8},${m.top + 12})`, class: 'legend' });
  key.append(svg('line', { class: 'speed', x1: 0, x2: 18, y1: -4, y2: -4 }), svg('text', { x: 22, y: 0 }, 'speed'),
    svg('line', { class: 'limit', x1: 70, x2: 88, y1: -4, y2: -4 }), svg('text', { x: 92, y: 0 }, 'limit'));
  root.append(key);
  box.replaceChildren(root);
}

// Redraw the chart at the panel's new width (a rotated phone, a resized window).
let chartWidth = 0;
new ResizeObserver(() => {
  const w = Math.round($('#chart').clientWidth);
  if (chartJourney && w && w !== chartWidth) {
    chartWidth = w;
    drawChart(chartJourney);
  }
}).observe($('#chart'));

// The estimated arrival with its band and the pace per stretch, for a journey re-timed to sightings.
function fillEstimate(j) {
  const box = $('#estimate');
  box.hidden = !j.sightings;
  if (!j.sightings) return;
  const d = j.stops.at(-1);
  const band = j.arrival_band;
  const late = Math.round((d.arrive_s - d.planned_arrive_s) / 60);
  box.replaceChildren(
    el('p', {}, el('strong', { id: 'estimate-arrival' },
      `Arrives ${isoClock(d.arrive)} ${d.zone_abbr} (${isoClock(band.early)} - ${isoClock(band.late)})`),
    ` ${Math.abs(late)} min ${late < 0 ? 'earlier' : 'later'} than planned.`),
    el('ul', { class: 'paces' }, j.stretches.map((st) => el('li', {},
      `km ${st.from_km.toFixed(0)}-${st.to_km.toFixed(0)}: pace ${st.pace.toFixed(2)}`,
      st.predicted ? ' (predicted)' : ' (fitted)', st.halt_s > 0 ? `, halt ${duration(st.halt_s)}` : ''))),
    el('p', { class: 'hint' }, `The band: ${band.derivation}.`));
}

// The time slider: where the train is at the time it shows, asked of /api/where (the server's answer for the same
// journey), drawn as a marker on the route.
let trainMarker = null;
let whereParams = null;
let whereTimer = 0;
let whereSeq = 0;

function setupWhere(j, params) {
  const box = $('#where-box');
  box.hidden = !j.stops[0]?.depart;
  if (box.hidden) return;
  whereParams = params;
  const slider = $('#when');
  slider.max = String(Math.ceil(j.stops.at(-1).arrive_s / 60) * 60);
  const last = j.sightings?.at(-1);
  slider.value = String(last ? Math.round(last.seen_s / 60) * 60 : 0);
  slider.dataset.depart = j.stops[0].depart;
  askWhere();
}

async function askWhere() {
  const slider = $('#when');
  const at = shiftIso(slider.dataset.depart, Number(slider.value)).slice(0, 16) + slider.dataset.depart.slice(-6);
  const seq = ++whereSeq;
  document.body.dataset.where = 'asking';
  try {
    const w = await api('api/where', [...whereParams, ['at', at]]);
    if (seq !== whereSeq) return;
    const p = w.position;
    const states = { 'not departed': 'not yet departed from', running: 'running, last passed', stopped: 'stopped at', arrived: 'arrived at' };
    $('#where-text').replaceChildren(
      el('strong', {}, `${isoClock(p.at)} ${w.stops[p.last_index].zone_abbr}: `),
      `${states[p.state]} ${p.last}, km ${p.km.toFixed(1)}`,
      p.state === 'running' ? `, ${Math.round(p.speed_kmh)} km/h, next ${p.next}` : '',
      p.why ? ` (${p.why})` : '');
    trainMarker?.remove();
    trainMarker = L.circleMarker([p.lat, p.lon], {
      pane: 'train', radius: 9, color: '#fff', weight: 3, fillColor: '#e08a1e', fillOpacity: 1, className: 'train-marker',
    }).bindTooltip(`The train at ${isoClock(p.at)}`).addTo(map);
    document.body.dataset.where = 'shown';
  } catch (err) {
    if (seq === whereSeq) $('#where-text').textContent = String(err.message || err);
    document.body.dataset.where = 'error';
  }
}

$('#when').addEventListener('input', () => {
  clearTimeout(whereTimer);
  whereTimer = setTimeout(askWhere, 150);
});

// The routes of the last plan (the fastest first, then the alternatives /api/journey?alternatives= gave), the one
// shown, and the grey lines of the others.
let routes = [];
let chosen = 0;
let altLayer = null;
// How many routes the page asks for; a chosen route's own requests ask for as many, so that the server finds the
// same set and its alternative=K is the route shown.
const ROUTES_ASKED = 3;

// A line for route i against the fastest: "+1 h 10 min, shares 61 % of its track".
function alternativeLabel(i) {
  if (i === 0) return `the fastest, ${routes[0].length_km.toFixed(1)} km, ${duration(routes[0].total_s)}`;
  const r = routes[i];
  const more = r.total_s - routes[0].total_s;
  return `${r.length_km.toFixed(1)} km, ${more >= 0 ? '+' : '-'}${duration(Math.abs(more))}, ` +
    `shares ${Math.round(100 * r.shared)} % of its track with faster ones`;
}

// Draws every route but the one shown as a grey line that can be picked, and lists them all in the panel.
function drawAlternatives(params) {
  altLayer?.remove();
  altLayer = L.featureGroup().addTo(map);
  routes.forEach((r, i) => {
    if (i === chosen) return;
    const latlngs = (r.geometry?.coordinates || []).map(([lon, lat]) => [lat, lon]);
    L.polyline(latlngs, { pane: 'route', color: '#8a919e', weight: 7, opacity: 0.9, className: `route-alt route-alt-${i}` })
      .bindTooltip(`Route ${i + 1}: ${esc(alternativeLabel(i))}. Click to show it.`, { sticky: true })
      .on('click', () => chooseRoute(i, params))
      .addTo(altLayer);
  });
  altLayer.bringToBack();
  $('#alternatives-box').hidden = routes.length < 2;
  $('#alternatives').replaceChildren(...routes.map((r, i) => {
    const button = el('button', { type: 'button', 'aria-pressed': String(i === chosen), 'data-route': String(i) },
      `Route ${i + 1}: ${alternativeLabel(i)}`);
    button.addEventListener('click', () => chooseRoute(i, params));
    return el('li', {}, button);
  }));
}

// Shows route i of the last plan: its timetable, chart, line and the train's position on it.
function chooseRoute(i, params) {
  chosen = i;
  showJourney(routes[i], params);
  document.body.dataset.route = String(i);
}

function showJourney(j, params) {
  // The chosen route's own requests (the slider's /api/where, the SVG) name it: alternative=K.
  const own = chosen ? [...params, ['alternatives', String(ROUTES_ASKED)], ['alternative', String(chosen)]] : params;
  fillSummary(j);
  $('#results').hidden = false;
  fillTimetable(j);
  fillEstimate(j);
  drawChart(j);
  drawRoute(j);
  drawAlternatives(params);
  setupWhere(j, own);
  const svgUrl = new URL('api/journey', document.baseURI);
  for (const [k, v] of [...own, ['format', 'svg']]) svgUrl.searchParams.append(k, v);
  $('#svg-link').href = svgUrl;
}

function clearJourney() {
  routeLayer?.remove();
  routeLayer = null;
  altLayer?.remove();
  altLayer = null;
  routes = [];
  chosen = 0;
  trainMarker?.remove();
  trainMarker = null;
  chartJourney = null;
  $('#results').hidden = true;
}

$('#show-passes').addEventListener('change', (e) => $('#timetable').classList.toggle('hide-passes', !e.target.checked));

const phone = matchMedia('(max-width: 760px)');
const planButton = $('#plan');

async function plan() {
  const params = journeyParams();
  if (!$('#from').value.trim() || !$('#to').value.trim()) {
    showError({ code: 'InvalidValue', message: 'say where the journey starts (From) and where it ends (To).' });
    return;
  }
  planButton.disabled = true;
  planButton.textContent = 'Planning…';
  document.body.dataset.journey = 'planning';
  try {
    // Up to three routes between two places (stations or coordinates); with vias, the one.
    const ask = params.some(([k]) => k === 'via') ? params : [...params, ['alternatives', String(ROUTES_ASKED)]];
    const answer = await api('api/journey', ask);
    hideError();
    routes = answer.alternatives || [answer];
    chooseRoute(0, params);
    // The journey's address can be bookmarked or shared: the page plans it again on load.
    history.replaceState(null, '', `?${new URLSearchParams(params)}`);
    $('#intro').hidden = true;
    if (phone.matches) $('#map').scrollIntoView({ behavior: 'smooth' });
    document.body.dataset.journey = 'shown';
  } catch (err) {
    clearJourney();
    showError(err);
    document.body.dataset.journey = 'error';
  } finally {
    planButton.disabled = false;
    planButton.textContent = 'Plan journey';
  }
}

// The example journey of the introduction: the flagship case of README.md.
$('#example').addEventListener('click', () => {
  $('#from').value = 'Pyongyang';
  $('#to').value = 'Vladivostok';
  if (trains.some((t) => t.name === 'armoured')) trainSelect.value = 'armoured';
  describeTrain();
  $('#depart').value = '2023-09-10T15:00';
  plan();
});

$('#journey-form').addEventListener('submit', (e) => {
  e.preventDefault();
  plan();
});

// --- start ------------------------------------------------------------------------------------------------------

async function start() {
  // A journey in the page's address (?from=...&to=...&via=...&train=...&depart=...) fills the form.
  const query = new URLSearchParams(location.search);
  for (const id of ['from', 'to']) $(`#${id}`).value = query.get(id) || '';
  const viaValues = query.getAll('via');
  (viaValues.length ? viaValues : ['']).forEach((v) => addVia(v));
  if (query.get('depart')) $('#depart').value = query.get('depart').replace(' ', 'T').slice(0, 16);
  for (const seen of query.getAll('seen')) {
    const at = seen.lastIndexOf('@');
    if (at > 0) sightings.push({ place: seen.slice(0, at), time: seen.slice(at + 1).replace(' ', 'T') });
  }
  showSightings();

  const failures = [];
  const note = (what) => (err) => failures.push(`${what}: ${err.message}`);
  await Promise.all([
    loadCountries().catch(note('the country outlines')),
    loadNetwork(true).catch(note('the network')),
    loadTrains(query.get('train')).catch(note('the trains')),
  ]);
  if (failures.length) {
    showError({ code: 'Unreachable', message: `Some of the page did not load; ${failures.join('; ')}` });
  } else if (query.get('from') && query.get('to')) {
    plan();
  }
}

start();
