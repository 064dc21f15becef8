// What the web tools (screenshots.mjs, viewer-shots.mjs, at-rest.mjs) share: their
// settings from the environment, bounded waits, the relay and console clients they start
// (each ended by its handle when the tool finishes) and the headless Chromium they drive.
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
