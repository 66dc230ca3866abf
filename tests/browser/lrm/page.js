// page.js: routes Pyongyang to Vladivostok with Leaflet Routing Machine's OSRM v1 router on bogie (the server in
// ?server=, train armoured) and leaves what happened in window.outcome: {ok, distance, time, coordinates, rows} on
// success, {ok: false, status, message} on a routing error. No tiles: nothing is fetched but from the two servers.
const server = new URLSearchParams(location.search).get('server');
const map = L.map('map').setView([41, 128.5], 6);
const control = L.Routing.control({
  waypoints: [L.latLng(39.00472, 125.73639), L.latLng(43.11124, 131.88191)],
  router: L.Routing.osrmv1({ serviceUrl: `${server}/route/v1`, profile: 'armoured' }),
  fitSelectedRoutes: true,
}).addTo(map);
control.on('routesfound', (e) => {
  const r = e.routes[0];
  window.outcome = { ok: true, distance: r.summary.totalDistance, time: r.summary.totalTime,
    coordinates: r.coordinates.length, rows: r.instructions.length };
});
control.on('routingerror', (e) => {
  window.outcome = { ok: false, status: e.error && e.error.status, message: e.error && e.error.message };
});
