// Web screenshots of a busy room (docs/screenshots/web-room.png at 1280 px and
// web-room-phone.png at 360 px): the relay serving app/dist, console-client bots saying a
// burst with colour emoji, a link, a mention, CJK, Arabic with digits, Hebrew, a whisper
// and an action, and the page joined as maya who replies. Every process it starts is
// ended by its handle; every wait is bounded.
//
//   node web-test/screenshots.mjs                      # CONFAB_PORT=9419, light
//   CONFAB_SCHEME=dark node web-test/screenshots.mjs   # web-room-dark*.png
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const env = (name, fallback) => process.env[name] ?? fallback;
const DIST = resolve(env('CONFAB_DIST', 'app/dist'));
const SERVER_BIN = resolve(env('CONFAB_SERVER_BIN', 'target/debug/confab-server'));
const CLI_BIN = resolve(env('CONFAB_CLI_BIN', 'target/debug/confab-cli'));
const OUT = resolve(env('CONFAB_SHOTS', 'docs/screenshots'));
const PORT = Number(env('CONFAB_PORT', '9419'));
// The browser's colour scheme, which the app's theme follows; dark shots get a suffix.
const SCHEME = env('CONFAB_SCHEME', 'light');
const SUFFIX = SCHEME === 'dark' ? '-dark' : '';
const log = (...a) => console.log('[screenshots]', ...a);
const sleep = (ms) => new Promise((d) => setTimeout(d, ms));
const children = [];

async function until(what, probe, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

function start(bin, args) {
  const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = [];
  createInterface({ input: child.stdout }).on('line', (l) => lines.push(l));
  createInterface({ input: child.stderr }).on('line', (l) => lines.push(l));
  children.push(child);
  return { child, lines };
}

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
  for (let i = 0; i < 4; i++) { await page.keyboard.press('Tab'); await sleep(400); }
  await page.keyboard.press('Enter');
  await until(`${name} in the room`, async () => (await state())?.status === 'online');
  return { page, state, press };
}

async function main() {
  const relay = start(SERVER_BIN, ['--bind', `127.0.0.1:${PORT}`, '--web-dir', DIST, '--messages-per-second', '1000', '--burst', '1000']);
  const origin = await until('the relay', () => relay.lines.map((l) => l.match(/http:\/\/127\.0\.0\.1:\d+/)?.[0]).find(Boolean), 10_000);
  const server = origin.replace(/^http/, 'ws');
  const host = start(CLI_BIN, ['--server', server, '--name', 'jonas', '--create', '--json']);
  const room = JSON.parse(await until('the room', () => host.lines.find((l) => l.includes('"welcome"')))).room;
  const bots = { jonas: host };
  for (const who of ['priya', '李雷', 'layla', 'noa']) {
    bots[who] = start(CLI_BIN, ['--server', server, '--name', who, '--room', room, '--json']);
    await until(`${who} joined`, () => bots[who].lines.find((l) => l.includes('"welcome"')));
  }
  const say = async (who, text) => {
    bots[who].child.stdin.write(`${text}\n`);
    await sleep(300);
  };
  const browser = await chromium.launch({
    executablePath: env('CHROMIUM', '/usr/bin/chromium'),
    headless: true,
    timeout: 90_000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--enable-unsafe-swiftshader'],
  });
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

try {
  await main();
} catch (e) {
  process.exitCode = 1;
  log('FAILED:', e.stack ?? e);
} finally {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
}
