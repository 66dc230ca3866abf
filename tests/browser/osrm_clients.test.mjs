// osrm_clients.test.mjs: bogie's OSRM-shaped /route/v1 through the clients people use with OSRM, and prints TAP:
// osrm-text-instructions (in node) turns every step of the flagship route and of a route through a via into text, and
// Leaflet Routing Machine, on a page served from another origin (PAGE_URL), draws the flagship route from bogie
// (BOGIE_URL, started with --cors PAGE_URL's origin) in headless Chromium and lists its instructions, with no error
// on the console; against a server started with --cors none (BOGIE_NOCORS_URL) the browser refuses the answer.
//   BOGIE_URL=... BOGIE_NOCORS_URL=... PAGE_URL=... CHROMIUM=/usr/bin/chromium node tests/browser/osrm_clients.test.mjs
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assert, check, tap } from './tap.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '../../web/package.json'));
const { chromium } = require('playwright-core');
const textInstructions = require('osrm-text-instructions')('v5');

const BOGIE = process.env.BOGIE_URL.replace(/\/$/, '');
const NOCORS = process.env.BOGIE_NOCORS_URL.replace(/\/$/, '');
const PAGE = process.env.PAGE_URL.replace(/\/$/, '');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const FLAGSHIP = '125.73639,39.00472;131.88191,43.11124';
const VIA = '125.73639,39.00472;130.64528,42.42806;131.88191,43.11124';


async function route(coords) {
  const resp = await fetch(`${BOGIE}/route/v1/armoured/${coords}?steps=true&overview=false`);
  assert(resp.status === 200, `status ${resp.status}`);
  return (await resp.json()).routes[0];
}

// Every step into text as Leaflet Routing Machine does it (compile with legCount and legIndex); a step the library
// does not know the type of is logged with console.log, which is caught here as a failure.
function texts(r) {
  const unknown = [];
  const log = console.log;
  console.log = (...args) => unknown.push(args.join(' '));
  try {
    const out = [];
    r.legs.forEach((leg, i) => {
      for (const step of leg.steps) {
        out.push({ bogie: step.bogie.maneuver,
          text: textInstructions.compile('en', step, { legCount: r.legs.length, legIndex: i }) });
      }
    });
    return { out, unknown };
  } finally {
    console.log = log;
  }
}

for (const [name, coords] of [['the flagship route', FLAGSHIP], ['a route through Khasan', VIA]]) {
  await check(`osrm-text-instructions turns every step of ${name} into text`, async () => {
    const r = await route(coords);
    const { out, unknown } = texts(r);
    assert(unknown.length === 0, `unknown types: ${unknown.join('; ')}`);
    assert(out.length === r.legs.reduce((k, l) => k + l.steps.length, 0) && out.every((s) => s.text.length > 0),
      JSON.stringify(out));
    const by = Object.fromEntries(out.map((s) => [s.bogie, s.text]));
    assert(/^Head north/.test(out[0].text), out[0].text);
    assert(by.reversal.startsWith('Make a U-turn'), `reversal: ${by.reversal}`);
    assert(by.gauge_change.startsWith('Continue straight'), `gauge change: ${by.gauge_change}`);
    assert(out[out.length - 1].text.startsWith('You have arrived'), out[out.length - 1].text);
    if (r.legs.length > 1) assert(out.some((s) => /arrived at your 1st destination/.test(s.text)), JSON.stringify(out));
  });
}

// The page: Leaflet and Leaflet Routing Machine against the server named in its query string.
const profile = mkdtempSync(join(tmpdir(), 'bogie-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM, headless: true, viewport: { width: 1200, height: 800 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
try {
  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(30000);
  const errors = [];
  page.on('pageerror', (err) => errors.push(`uncaught ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' || /unknown instruction type/i.test(msg.text())) {
      errors.push(`console ${msg.text()} ${msg.location()?.url || ''}`);
    }
  });
  const flagship = await route(FLAGSHIP);
  const steps = flagship.legs[0].steps;

  await check('Leaflet Routing Machine draws the flagship route from bogie', async () => {
    await page.goto(`${PAGE}/index.html?server=${encodeURIComponent(BOGIE)}`);
    await page.waitForFunction(() => window.outcome !== undefined);
    const outcome = await page.evaluate(() => window.outcome);
    assert(outcome.ok, `routing error: ${JSON.stringify(outcome)}`);
    assert(Math.abs(outcome.distance - flagship.distance) < 1 && Math.abs(outcome.time - flagship.duration) < 1,
      JSON.stringify(outcome));
    const lineGeometry = steps.reduce((k, s) => k + (s.geometry.length ? 1 : 0), 0);
    assert(outcome.coordinates > steps.length && lineGeometry === steps.length, JSON.stringify(outcome));
    const drawn = await page.locator('.leaflet-overlay-pane path').count();
    assert(drawn >= 1, `${drawn} lines drawn`);
  });

  await check('its instruction list shows every step, the reversal as a U-turn', async () => {
    const rows = page.locator('.leaflet-routing-alt table tbody tr');
    await rows.first().waitFor();
    const text = await rows.allInnerTexts();
    assert(text.length === steps.length, `${text.length} rows for ${steps.length} steps`);
    const at = (m) => text[steps.findIndex((s) => s.bogie.maneuver === m)];
    assert(/Make a U-turn/.test(at('reversal')), at('reversal'));
    assert(/Continue straight/.test(at('gauge_change')), at('gauge_change'));
    assert(/You have arrived/.test(text[text.length - 1]), text[text.length - 1]);
    await page.screenshot({ path: join(process.env.BOGIE_ARTIFACTS || tmpdir(), 'osrm-lrm.png') });
  });

  await check('no error on the console', async () => {
    assert(errors.length === 0, errors.join('\n'));
  });

  await check('from a server started with --cors none, the browser refuses the answer', async () => {
    await page.goto(`${PAGE}/index.html?server=${encodeURIComponent(NOCORS)}`);
    await page.waitForFunction(() => window.outcome !== undefined);
    const outcome = await page.evaluate(() => window.outcome);
    assert(!outcome.ok && outcome.status === -1, JSON.stringify(outcome));
  });
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(`1..${tap.n}`);
process.exit(tap.failed ? 1 : 0);
