// Renders assets/icon.svg to the PNG icons the web manifest lists, in headless Chromium.
// Run once after changing the SVG: `node web-test/render-icons.mjs` (needs `npm ci` here
// and /usr/bin/chromium; scripts/web-setup.sh installs both). The PNGs are committed.
//
// The PNGs are full-bleed squares (no rounded corners): Android masks them to its own
// shape ("maskable"), and the bubble sits inside the mask's safe zone.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const assets = join(dirname(fileURLToPath(import.meta.url)), '..', 'assets');
const svg = (await readFile(join(assets, 'icon.svg'), 'utf8')).replace(/ rx="112"/, '');

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--enable-unsafe-swiftshader'],
  timeout: 30_000,
});
try {
  for (const size of [192, 512]) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    const sized = svg.replace('<svg ', `<svg width="${size}" height="${size}" `);
    await page.setContent(`<body style="margin:0">${sized}</body>`);
    await page.screenshot({ path: join(assets, `icon-${size}.png`), omitBackground: true });
    await page.close();
  }
} finally {
  await browser.close();
}
