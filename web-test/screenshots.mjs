// Web screenshots of a busy room (docs/screenshots/web-room.png at 1280 px and
// web-room-phone.png at 360 px): the relay serving app/dist, console-client bots saying a
// burst with colour emoji, a link, a mention, CJK, Arabic with digits, Hebrew, a whisper
// and an action, and the page joined as maya who replies. Every process it starts is
// ended by its handle; every wait is bounded.
//
//   node web-test/screenshots.mjs                      # CONFAB_PORT=9419, light
//   CONFAB_SCHEME=dark node web-test/screenshots.mjs   # web-room-dark*.png
import { resolve } from 'node:path';
import { SUFFIX, SCHEME, env, launchBrowser, run, sleep, startClient, startRelay, until } from './tools.mjs';

const OUT = resolve(env('CONFAB_SHOTS', 'docs/screenshots'));
const PORT = Number(env('CONFAB_PORT', '9419'));
const log = (...a) => console.log('[screenshots]', ...a);
async function join(browser, origin, room, viewport, name, tap) {
  const context = await browser.newContext(viewport.isMobile
    ? { viewport, isMobile: true, hasTouch: true, deviceScaleFactor: 1, colorScheme: SCHEME }
    : { viewport, colorScheme: SCHEME });
  const page = await context.newPage();
  const state = async () => JSON.parse(await page.evaluate(() => window.wasmBindings?.confab_state?.() ?? 'null'));
  await page.goto(`${origin}/#${room}`);
  await until('the app', async () => (await state()) !== null);
  const press = tap ? (x, y) => tap(context, page, x, y) : (x, y) => page.mouse.click(x, y);
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
  const origin = await startRelay(['--bind', `127.0.0.1:${PORT}`, '--messages-per-second', '1000', '--burst', '1000']);
  const host = await startClient(origin, 'jonas', null);
  const room = host.room;
  const bots = { jonas: host };
  for (const who of ['priya', '李雷', 'layla', 'noa']) bots[who] = await startClient(origin, who, room);
  const say = async (who, text) => {
    bots[who].child.stdin.write(`${text}\n`);
    await sleep(300);
  };
  const browser = await launchBrowser();
  await say('jonas', 'morning all 😀 🚀 👋🏽 ❤️ 🎉');
  await say('jonas', 'coffee first ☕');
  await say('jonas', 'then the deploy');
  await say('jonas', 'notes: https://en.wikipedia.org/wiki/Rust_(programming_language)');
  const desk = await join(browser, origin, room, { width: 1280, height: 800 }, 'maya');
  const tap = async (context, page, x, y) => {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y }] });
    await sleep(120);
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  };
  const phone = await join(browser, origin, room, { width: 360, height: 740, isMobile: true }, 'sam', tap);
  await say('priya', '@maya did the staging build finish? 👍');
  await say('李雷', '早上好！网页版今天可以试用了 🚀');
  await say('李雷', '東京の天気は晴れ ☀️');
  await say('layla', 'مرحبا بالجميع 👋 الاجتماع في الساعة 15:30');
  await say('noa', 'שלום Confab עולם');
  await say('priya', '/w maya the demo moved to 3 pm, keep it quiet 🤫');
  await say('jonas', '/me is making coffee for everyone');
  await say('noa', 'family photo day 👨‍👩‍👧 🎂');
  await desk.press(200, 800 - 36);
  await sleep(400);
  await desk.page.keyboard.type('on it @priya, will post the link 🙌', { delay: 10 });
  await desk.page.keyboard.press('Enter');
  await until('the reply', async () => (await desk.state()).session.chats.some((c) => c.from === 'maya'));
  await until('the phone to have it', async () => (await phone.state()).session.chats.some((c) => c.from === 'maya'));
  await sleep(1000);
  await desk.page.mouse.move(1270, 790);
  await desk.page.screenshot({ path: `${OUT}/web-room${SUFFIX}.png` });
  await phone.page.screenshot({ path: `${OUT}/web-room${SUFFIX}-phone.png` });
  log(`saved ${OUT}/web-room${SUFFIX}.png and ${OUT}/web-room${SUFFIX}-phone.png`);
  await browser.close();
}

await run(main, log);
