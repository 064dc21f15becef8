// What the web tools (screenshots.mjs, viewer-shots.mjs, at-rest.mjs) share: their
// settings from the environment, bounded waits, the relay and console clients they start
// (each ended by its handle when the tool finishes), the headless Chromium they drive, and
// pictures drawn in a page and found again on its screen (also used by the browser test).
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

/** `process.env[name]`, or `fallback` when it is not set. */
export const env = (name, fallback) => process.env[name] ?? fallback;
/** The web build the relay serves. */
export const DIST = resolve(env('CONFAB_DIST', 'app/dist'));
/** The relay and the console client to start. */
export const SERVER_BIN = resolve(env('CONFAB_SERVER_BIN', 'target/debug/confab-server'));
export const CLI_BIN = resolve(env('CONFAB_CLI_BIN', 'target/debug/confab-cli'));
/** The browser's colour scheme, which the app's theme follows; dark shots get a suffix. */
export const SCHEME = env('CONFAB_SCHEME', 'light');
export const SUFFIX = SCHEME === 'dark' ? '-dark' : '';

export const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** Polls `probe` every 200 ms until it returns something truthy, for at most `ms`. */
export async function until(what, probe, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

const children = [];

/** Starts `bin`; its stdout and stderr lines collect in `lines`. Ended by `run`. */
export function start(bin, args) {
  const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = [];
  createInterface({ input: child.stdout }).on('line', (l) => lines.push(l));
  createInterface({ input: child.stderr }).on('line', (l) => lines.push(l));
  children.push(child);
  return { child, lines };
}

/** Starts the relay serving `DIST` with `args` added; resolves to its page's origin. */
export async function startRelay(args) {
  const relay = start(SERVER_BIN, ['--web-dir', DIST, ...args]);
  return until('the relay', () => relay.lines.map((l) => l.match(/http:\/\/127\.0\.0\.1:\d+/)?.[0]).find(Boolean), 10_000);
}

/** Starts a console client as `name` in `room` (a new room when `null`); waits for its welcome. */
export async function startClient(origin, name, room) {
  const server = origin.replace(/^http/, 'ws');
  const args = ['--server', server, '--name', name, '--json', ...(room ? ['--room', room] : ['--create'])];
  const client = start(CLI_BIN, args);
  const welcome = await until(`${name}'s welcome`, () => client.lines.find((l) => l.includes('"welcome"')), 10_000);
  return { ...client, room: JSON.parse(welcome).room };
}

/** Headless Chromium, software-drawn, talking to nothing but the pages it is sent to. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: env('CHROMIUM', '/usr/bin/chromium'),
    headless: true,
    timeout: 90_000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--enable-unsafe-swiftshader'],
  });
}

/**
 * A 640 x 400 sunset over a ground of colour `ground` ([r, g, b]), drawn in `page` and
 * encoded there as `type` (the browser's own encoder: nothing is fetched from elsewhere).
 */
export async function drawPicture(page, ground, type = 'image/png') {
  const b64 = await page.evaluate(async ({ ground, type }) => {
    const c = new OffscreenCanvas(640, 400);
    const ctx = c.getContext('2d');
    const sky = ctx.createLinearGradient(0, 0, 0, 330);
    sky.addColorStop(0, '#3a1c71');
    sky.addColorStop(1, '#ff9a3c');
    ctx.fillStyle = sky;
    ctx.fillRect(0, 0, 640, 330);
    ctx.fillStyle = '#ffe9a8';
    ctx.beginPath();
    ctx.arc(320, 300, 70, 0, 2 * Math.PI);
    ctx.fill();
    ctx.fillStyle = `rgb(${ground.join(',')})`;
    ctx.fillRect(0, 330, 640, 70);
    const bytes = new Uint8Array(await (await c.convertToBlob({ type, quality: 1 })).arrayBuffer());
    let s = '';
    for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s);
  }, { ground, type });
  return Buffer.from(b64, 'base64');
}

/** Where a picture's `ground` is drawn on `page`: the middle of its bounding box, or null. */
export async function findPicture(page, ground) {
  const png = (await page.screenshot()).toString('base64');
  return page.evaluate(async ({ png, ground }) => {
    const img = new Image();
    img.src = `data:image/png;base64,${png}`;
    await img.decode();
    const c = new OffscreenCanvas(img.width, img.height);
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, img.width, img.height).data;
    let [x0, y0, x1, y1, n] = [Infinity, Infinity, -1, -1, 0];
    for (let y = 0; y < img.height; y++) {
      for (let x = 0; x < img.width; x++) {
        const i = (y * img.width + x) * 4;
        if (Math.abs(d[i] - ground[0]) + Math.abs(d[i + 1] - ground[1]) + Math.abs(d[i + 2] - ground[2]) < 12) {
          n++;
          x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
        }
      }
    }
    return n > 200 ? { x: (x0 + x1) / 2, y: (y0 + y1) / 2, n, x0, y0, x1, y1 } : null;
  }, { png, ground });
}

/** Runs `main`, logs a failure through `log` (and exits non-zero), then ends every process started. */
export async function run(main, log) {
  try {
    await main();
  } catch (e) {
    process.exitCode = 1;
    log('FAILED:', e.stack ?? e);
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  }
}
