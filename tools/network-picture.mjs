// network-picture.mjs: takes the picture of a network for docs/networks.md: bogie's web page, served by a running
// `bogie serve` at BOGIE_URL, opened in headless Chromium (playwright-core, Debian's chromium) with a journey in its
// address, and the window saved as a PNG once the journey is shown.
//   BOGIE_URL=http://127.0.0.1:8080 node tools/network-picture.mjs OUT.png 'from=...&to=...&train=...'
// tools/network-picture.sh starts the server and runs this.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '../web/package.json'));
const { chromium } = require('playwright-core');

const [out, query] = process.argv.slice(2);
const base = (process.env.BOGIE_URL || '').replace(/\/$/, '');
if (!out || !query || !base) {
  console.error('usage: BOGIE_URL=URL node tools/network-picture.mjs OUT.png QUERY');
  process.exit(2);
}
const profile = mkdtempSync(join(tmpdir(), 'bogie-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  viewport: { width: 1400, height: 860 },
});
try {
  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(60000);
  await page.goto(`${base}/?${query}`);
  await page.waitForSelector('body[data-journey="shown"]');
  await page.waitForTimeout(1500); // the map's fit to the route is animated
  await page.screenshot({ path: out });
  console.log(`network-picture: wrote ${out}`);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
