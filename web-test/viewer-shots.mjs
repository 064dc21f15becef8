// Web screenshots of a picture opened larger, with its Save (docs/screenshots/web-viewer.png
// at 1280 px and web-viewer-phone.png at 360 px): the relay serving app/dist, a
// console-client bot attaching a picture drawn in the page (no file from elsewhere), the
// page joined as maya on a desktop and as sam on a phone, each opening the picture by
// clicking (tapping) its thumbnail, found by its colours. Every process it starts is ended
// by its handle; every wait is bounded. From a release web build (scripts/web-build.sh):
//
//   node web-test/viewer-shots.mjs                      # light
//   CONFAB_SCHEME=dark node web-test/viewer-shots.mjs   # web-viewer-dark*.png
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join as joinPath, resolve } from 'node:path';
import { SUFFIX, SCHEME, drawPicture, env, findPicture, launchBrowser, run, sleep, startClient, startRelay, until } from './tools.mjs';

const OUT = resolve(env('CONFAB_SHOTS', 'docs/screenshots'));
/** The picture's ground, a colour nothing else on the screen has: how it is found. */
const GROUND = [32, 18, 77];
const log = (...a) => console.log('[viewer-shots]', ...a);
async function join(browser, origin, room, viewport, name, mobile) {
  const context = await browser.newContext(mobile
    ? { viewport, isMobile: true, hasTouch: true, deviceScaleFactor: 1, colorScheme: SCHEME }
    : { viewport, colorScheme: SCHEME });
  const page = await context.newPage();
  const state = async () => JSON.parse(await page.evaluate(() => window.wasmBindings?.confab_state?.() ?? 'null'));
  const cdp = mobile ? await context.newCDPSession(page) : null;
  // A finger's tap (a touch start and end a little apart), or a mouse click.
  const press = mobile
    ? async (x, y) => {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y }] });
      await sleep(120);
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    }
    : (x, y) => page.mouse.click(x, y);
  await page.goto(`${origin}/#${room}`);
  await until('the app', async () => (await state()) !== null);
  await press(viewport.width / 2, 8);
  await sleep(400);
  await page.keyboard.press('Tab');
  await sleep(400);
  await page.keyboard.type(name, { delay: 20 });
  for (let i = 0; i < 5; i++) { await page.keyboard.press('Tab'); await sleep(400); } // room, Advanced, Private, Create room, Join
  await page.keyboard.press('Enter');
  await until(`${name} in the room`, async () => (await state())?.status === 'online');
  return { page, state, press };
}

async function main() {
  const origin = await startRelay(['--bind', '127.0.0.1:0']);
  const noa = await startClient(origin, 'noa', null);
  const room = noa.room;
  const browser = await launchBrowser();
  const desk = await join(browser, origin, room, { width: 1280, height: 800 }, 'maya', false);
  const phone = await join(browser, origin, room, { width: 360, height: 740 }, 'sam', true);

  const dir = await mkdtemp(joinPath(tmpdir(), 'confab-viewer-shots-'));
  try {
    const path = joinPath(dir, 'sunset.png');
    await writeFile(path, await drawPicture(desk.page, GROUND));
    noa.child.stdin.write('the view from the office tonight\n');
    noa.child.stdin.write(`/attach ${path}\n`);
    for (const [who, app] of [['maya', desk], ['sam', phone]]) {
      await until(`${who} to get the picture`, async () =>
        (await app.state()).session.chats.some((c) => c.from === 'noa' && c.text === 'sunset.png'));
    }
    for (const [name, app] of [[`web-viewer${SUFFIX}`, desk], [`web-viewer${SUFFIX}-phone`, phone]]) {
      const at = await until(`${name}: the thumbnail drawn`, () => findPicture(app.page, GROUND));
      await app.press(at.x, at.y);
      await sleep(1500);
      if (app === desk) await desk.page.mouse.move(1270, 790);
      await app.page.screenshot({ path: `${OUT}/${name}.png` });
      log(`saved ${OUT}/${name}.png (opened the picture at ${Math.round(at.x)},${Math.round(at.y)})`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
    await browser.close();
  }
}

await run(main, log);
