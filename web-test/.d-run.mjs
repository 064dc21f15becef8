// Throwaway runner: hardenedCheck alone, with the same tool shapes web-test.mjs passes.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';
import { hardenedCheck } from '/work/wt-d/web-test/hardened.mjs';
const log = (...a) => console.log('[hardened-run]', ...a);
const sleep = (ms) => new Promise((d) => setTimeout(d, ms));
const children = [];
async function until(what, probe, ms = 30000) {
  const deadline = Date.now() + ms;
  for (;;) { const v = await probe(); if (v) return v; if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`); await sleep(100); }
}
function assert(c, m) { if (!c) throw new Error(`assertion failed: ${m}`); }
function start(name, bin, args) {
  const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  const lines = [];
  const on = (l) => lines.push(l);
  createInterface({ input: child.stdout }).on('line', on);
  createInterface({ input: child.stderr }).on('line', on);
  const line = (what, match, ms = 30000) => until(what, async () => lines.find(match), ms);
  return { child, lines, line };
}
const appState = async (page) => JSON.parse(await page.evaluate(() => window.wasmBindings?.confab_state?.() ?? 'null'));
const consoleLines = [];
const watchConsole = (page, name) => page.on('console', (m) => consoleLines.push(`${name}: ${m.text()}`));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-swiftshader'] });
try {
  await hardenedCheck({ browser, start, serverBin: process.env.CONFAB_SERVER_BIN, dist: process.env.CONFAB_DIST, viewport: { width: 1024, height: 700 }, tools: { appState, until, assert, log, watchConsole, settle: () => sleep(400) } });
  log('PASSED');
} catch (e) {
  process.exitCode = 1;
  log('FAILED', e.stack);
  log(consoleLines.filter((l) => !/GL Driver|GPU stall/.test(l)).slice(-20).join('\n'));
} finally {
  await browser.close();
  for (const c of children) c.kill('SIGTERM');
}
