// The app's controls do not depend on the system's fonts (issue 22), in a real browser: a
// second Chromium whose fontconfig sees DejaVu only (no colour emoji font, as on a minimal
// Linux image or a kiosk) joins the same room as the desktop page, and the top bar and the
// composer's row must come out pixel for pixel as in the browser that has every font. Were
// any button drawn with a system emoji (📋, 👥, 🔔, 📎, 😀), one browser would draw it in
// colour and the other as a grey glyph or a box. Also proves the emoji font really is hidden
// there (a colour emoji drawn on a canvas has no colour), or the comparison would mean nothing.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

/** Pixels allowed to differ in the compared strips (anti-aliasing noise; a glyph is ~100). */
const TOLERANCE = 12;

/** A fontconfig setup that knows DejaVu and nothing else. */
async function dejavuOnly(cleanups) {
  const dir = await mkdtemp(join(tmpdir(), 'confab-fonts-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'fonts.conf');
  await writeFile(
    file,
    `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>/usr/share/fonts/truetype/dejavu</dir>
  <cachedir>${join(dir, 'cache')}</cachedir>
</fontconfig>
`,
  );
  return file;
}

/** Yellow pixels of 😀 drawn by the page's own canvas in the colour emoji font, if it has one. */
function emojiColour(page) {
  return page.evaluate(() => {
    const c = new OffscreenCanvas(64, 64);
    const ctx = c.getContext('2d');
    ctx.font = '48px "Noto Color Emoji", sans-serif';
    ctx.fillStyle = '#000';
    ctx.fillText('😀', 4, 52);
    const d = ctx.getImageData(0, 0, 64, 64).data;
    let warm = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] > 200 && d[i + 1] > 140 && d[i + 2] < 110) warm++;
    return warm;
  });
}

/**
 * `page` (in the room, desktop size `size`) against a new browser without emoji fonts
 * that opens `invite` as `name`. `tools`: the test's helpers.
 */
export async function noEmojiFontCheck({ page, invite, name, size, launchArgs, tools }) {
  const { openAndJoin, appState, pixels, until, sleep, assert, log, cleanups, watchConsole, shot } = tools;
  const fontsConf = await dejavuOnly(cleanups);
  const browser = await chromium.launch({
    executablePath: tools.chromium,
    headless: true,
    timeout: 90_000,
    args: launchArgs,
    env: { ...process.env, FONTCONFIG_FILE: fontsConf },
  });
  cleanups.push(() => browser.close());
  const plain = await (await browser.newContext({ viewport: size })).newPage();
  watchConsole(plain, 'no emoji font');

  await openAndJoin(plain, invite, name, size, (x, y) => plain.mouse.click(x, y));
  const [withFont, without] = [await emojiColour(page), await emojiColour(plain)];
  log(`😀 on a canvas: ${withFont} yellow pixels with the system's fonts, ${without} with DejaVu only`);
  assert(withFont > 60 && without === 0, `the emoji font should be hidden from the second browser only (${withFont}, ${without})`);

  // The same room, so the same head count in both top bars; a click on the empty part of
  // the people list (nothing keeps the keyboard focus, nothing is hovered), and past the
  // 2 s of a "Copied" label.
  await until('both pages to count the same people', async () => {
    const [a, b] = [await appState(page), await appState(plain)];
    return a.session.members.length === b.session.members.length;
  });
  for (const p of [page, plain]) await p.mouse.click(size.width - 90, size.height - 100);
  await sleep(2500);
  const [a, b] = [await page.screenshot(), await plain.screenshot()];
  await shot(plain, 'web-no-emoji-font.png');
  // The top bar across, and the composer's buttons (attach, emoji, Send: right of the
  // message field, left of the 180 px people panel at this width); not the field itself,
  // whose focus differs between the two pages.
  const strips = {
    'top bar': { x: 0, y: 0, width: size.width, height: 36 },
    "composer's buttons": { x: size.width - 342, y: size.height - 46, width: 160, height: 44 },
  };
  for (const [what, r] of Object.entries(strips)) {
    const differ = await pixels(page, a, b, r);
    log(`${what}: ${differ} pixels differ between the two browsers`);
    assert(differ <= TOLERANCE, `the ${what} should not depend on the system's fonts (${differ} pixels differ)`);
  }
  await browser.close();
}
