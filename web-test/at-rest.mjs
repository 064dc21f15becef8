// The web client at rest (issue 13): its memory with a 2,000-message room and its CPU with
// the page open and nothing happening, in headless Chromium. The relay (rate limits lifted)
// serves app/dist; the console client creates a room; the page joins it by keyboard; a
// second console client sends the messages; then the page idles. Memory: the JS heap
// (CDP Performance.getMetrics; the wasm linear memory is not in it) and the RSS of
// Chromium's processes by type from /proc (the renderer's includes the wasm memory);
// CPU: /proc ticks of every Chromium process over the idle window, and the renderer's
// task time and frames from CDP. Every process it starts is ended by its handle.
//
//   node web-test/at-rest.mjs      # CONFAB_PORT=9418 IDLE_S=30 MESSAGES=2000
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { CLI_BIN, env, launchBrowser, run, sleep, start, startClient, startRelay, until } from './tools.mjs';

const PORT = Number(env('CONFAB_PORT', '9418'));
const IDLE_S = Number(env('IDLE_S', '30'));
const MESSAGES = Number(env('MESSAGES', '2000'));
const VIEW = { width: 1280, height: 800 };
const log = (...a) => console.log('[at-rest]', ...a);
/** Every process under `pid` (Chromium's browser, renderers, GPU, utilities). */
function tree(pid) {
  const kids = new Map();
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!kids.has(ppid)) kids.set(ppid, []);
      kids.get(ppid).push(Number(p));
    } catch {}
  }
  const out = [];
  const walk = (p) => { out.push(p); for (const k of kids.get(p) ?? []) walk(k); };
  walk(pid);
  return out;
}

function sample(pid) {
  return tree(pid).flatMap((p) => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (!cmd.includes('chrom')) return []; // node itself, the relay, the console clients
      const type = cmd.match(/--type=([a-z-]+)/)?.[1] ?? 'browser';
      const rss = Number(readFileSync(`/proc/${p}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)?.[1] ?? 0);
      return [{ pid: p, type, ticks: Number(f[11]) + Number(f[12]), rssKb: rss }];
    } catch {
      return [];
    }
  });
}

function byType(samples) {
  const out = {};
  for (const s of samples) {
    out[s.type] ??= { ticks: 0, rssKb: 0, n: 0 };
    out[s.type].ticks += s.ticks;
    out[s.type].rssKb += s.rssKb;
    out[s.type].n += 1;
  }
  return out;
}

async function main() {
  const hz = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
  const origin = await startRelay(['--bind', `127.0.0.1:${PORT}`, '--messages-per-second', '100000', '--burst', '100000']);
  const relayUrl = origin.replace(/^http/, 'ws');
  const cli = await startClient(origin, 'cli', null);
  const room = cli.room;

  const browser = await launchBrowser();
  const root = process.pid; // Chromium's processes are ours: children of this one
  const context = await browser.newContext({ viewport: VIEW });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const state = async () => JSON.parse(await page.evaluate(() => window.wasmBindings?.confab_state?.() ?? 'null'));
  await page.goto(`${origin}/#${room}`);
  await until('the app', async () => (await state()) !== null, 60_000);
  await page.mouse.click(VIEW.width / 2, 8);
  await sleep(400);
  await page.keyboard.press('Tab');
  await sleep(400);
  await page.keyboard.type('webby', { delay: 20 });
  for (let i = 0; i < 5; i++) { await page.keyboard.press('Tab'); await sleep(400); } // room, Advanced, Private, Create room, Join
  await page.keyboard.press('Enter');
  await until('joined', async () => (await state())?.status === 'online', 60_000);
  await sleep(2000);
  const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const heap = async () => {
    const m = await metrics();
    return { jsHeapUsedMb: (m.JSHeapUsedSize / 2 ** 20).toFixed(1), jsHeapTotalMb: (m.JSHeapTotalSize / 2 ** 20).toFixed(1) };
  };
  const joined = { heap: await heap(), procs: byType(sample(root)) };

  const args = ['--server', relayUrl, '--name', 'filler', '--room', room];
  for (let i = 1; i <= MESSAGES; i++) args.push('--send', `message ${i}: the quick brown fox jumps over the lazy dog, again and again`);
  const t0 = Date.now();
  const filler = start(CLI_BIN, args);
  await new Promise((d) => filler.child.once('exit', d));
  // The last one: the timeline keeps 2,000 entries, so with the join line the first
  // message has scrolled out of it by then.
  await until('every message in the page', async () => (await state()).session.chats.some((c) => c.text.startsWith(`message ${MESSAGES}:`)), 120_000);
  const deliveredS = (Date.now() - t0) / 1000;
  await sleep(5000);
  const full = { heap: await heap(), procs: byType(sample(root)) };

  // Idle, the composer focused (its caret blinks), then with nothing focused.
  const idle = async () => {
    const a = byType(sample(root));
    const m0 = await metrics();
    await sleep(IDLE_S * 1000);
    const b = byType(sample(root));
    const m1 = await metrics();
    const cpu = {};
    for (const t of Object.keys(b)) cpu[t] = `${((100 * (b[t].ticks - (a[t]?.ticks ?? 0))) / hz / IDLE_S).toFixed(2)} %`;
    return { cpu, rendererTaskS: (m1.TaskDuration - m0.TaskDuration).toFixed(3), frames: m1.Frames - m0.Frames };
  };
  const focused = await idle();
  await page.mouse.click(640, 300);
  await page.mouse.move(1270, 790);
  await sleep(2000);
  const unfocused = await idle();
  const after = { heap: await heap(), procs: byType(sample(root)) };
  const rss = (s) => Object.fromEntries(Object.entries(s.procs).map(([t, v]) => [t, `${(v.rssKb / 1024).toFixed(1)} MiB (${v.n})`]));
  log('joined, empty room:', JSON.stringify(joined.heap), JSON.stringify(rss(joined)));
  log(`${MESSAGES} messages (delivered and drawn in ${deliveredS} s):`, JSON.stringify(full.heap), JSON.stringify(rss(full)));
  log('after idling:', JSON.stringify(after.heap), JSON.stringify(rss(after)));
  log(`idle ${IDLE_S} s, composer focused:`, JSON.stringify(focused));
  log(`idle ${IDLE_S} s, nothing focused:`, JSON.stringify(unfocused));
  await browser.close();
}

await run(main, log);
