// The page that holds private rooms' keys is hardened (issue 26, docs/security.md): the
// relay serves it with a strict Content-Security-Policy, `Referrer-Policy: no-referrer` and
// no framing, and the page checks the integrity of its .js and .wasm. This checks, in the
// real browser, that the app still starts and runs under all that with no violation
// reported, that the policy is really enforced (a WebSocket to another origin is refused),
// that the service worker keeps the page with its policy, and that a tampered .wasm is
// refused rather than run, and so is a tampered .js.
//
// hardenedCheck runs on relays of its own and reuses the main test's browser.

import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Directives the page's policy must have, word for word. */
const DIRECTIVES = [
  "default-src 'none'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
];

/** Records every CSP violation a page reports, before any of its scripts run. */
async function recordViolations(context) {
  await context.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__violations.push(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'}`);
    });
  });
}

/** A relay serving `dir`, and the page's origin. */
async function relayFor(start, serverBin, name, dir) {
  const relay = start(name, serverBin, ['--bind', '127.0.0.1:0', '--web-dir', dir]);
  const opening = await relay.line('the page address', (l) => /open http:\/\/127\.0\.0\.1:\d+\//.test(l), 10_000);
  return { relay, origin: opening.match(/http:\/\/127\.0\.0\.1:\d+/)[0] };
}

export async function hardenedCheck({ browser, start, serverBin, dist, viewport, tools }) {
  const { appState, until, assert, log, watchConsole, settle } = tools;
  const began = Date.now();
  const { origin } = await relayFor(start, serverBin, 'hardened relay', dist);
  const context = await browser.newContext({ viewport });
  await recordViolations(context);
  const page = await context.newPage();
  watchConsole(page, 'hardened');
  const response = await page.goto(`${origin}/`);
  const headers = response.headers();
  const csp = (headers['content-security-policy'] ?? '').split(';').map((d) => d.trim());
  for (const d of DIRECTIVES) assert(csp.includes(d), `the page's policy has ${d}: ${csp.join('; ')}`);
  const scriptSrc = csp.find((d) => d.startsWith('script-src ')) ?? '';
  assert(/^script-src 'self' 'wasm-unsafe-eval'( 'sha256-[A-Za-z0-9+/=]+')+$/.test(scriptSrc), `script-src: ${scriptSrc}`);
  assert(headers['referrer-policy'] === 'no-referrer', `referrer-policy: ${headers['referrer-policy']}`);

  // The app starts, and the page names the hashes of what it loads.
  await until('the app to start under the policy', async () => (await appState(page)) !== null);
  const integrity = await page.evaluate(() =>
    Array.from(document.querySelectorAll('link[integrity]')).map((l) => [l.getAttribute('href'), l.getAttribute('integrity')]),
  );
  for (const ext of ['.js', '.wasm']) {
    assert(integrity.some(([href, value]) => href.endsWith(ext) && /^sha384-/.test(value)), `integrity for the ${ext}: ${JSON.stringify(integrity)}`);
  }

  // It runs: a (private, the default) room created through the UI, over its own relay.
  await page.mouse.click(viewport.width / 2, 8);
  await settle();
  await page.keyboard.press('Tab');
  await settle();
  await page.keyboard.type('guarded', { delay: 20 });
  await page.keyboard.press('Enter');
  const state = await until('a room created under the policy', async () => {
    const s = await appState(page);
    return s.status === 'online' && s.session ? s : null;
  });

  // The policy is enforced, not just sent: a WebSocket to another origin is refused (and
  // reported), one to the page's own relay opens.
  const elsewhere = origin.replace('http://127.0.0.1', 'ws://localhost');
  const sockets = await page.evaluate(async ([own, other]) => {
    const attempt = (url) => new Promise((done) => {
      try {
        const ws = new WebSocket(url);
        ws.onopen = () => { ws.close(); done('open'); };
        ws.onerror = () => done('error');
      } catch (e) {
        done(`refused: ${e.name}`);
      }
    });
    return [await attempt(own), await attempt(other)];
  }, [origin.replace('http', 'ws'), elsewhere]);
  assert(sockets[0] === 'open', `a WebSocket to the page's relay: ${sockets[0]}`);
  assert(sockets[1] !== 'open', `a WebSocket to ${elsewhere}: ${sockets[1]}`);
  const violations = await until('the refused WebSocket to be reported', async () => {
    const v = await page.evaluate(() => window.__violations);
    return v.length > 0 ? v : null;
  }, 5000);
  assert(violations.length === 1 && violations[0].startsWith('connect-src blocked ws://localhost'), `violations: ${JSON.stringify(violations)}`);

  // The service worker keeps the page with its policy, for the offline copy.
  const kept = await until('the service worker to keep the page', () =>
    page.evaluate(async () => {
      const response = await (await caches.open('confab-shell-v1')).match(new URL('./', location.href).href);
      return response?.headers.get('content-security-policy') ?? null;
    }),
  );
  assert(kept === headers['content-security-policy'], `the kept page's policy: ${kept}`);
  await context.close();
  log(`hardened: the app created ${state.session.room} under the policy with no violation of its own; a WebSocket elsewhere was refused (${sockets[1]}); the offline copy keeps the policy`);

  for (const ext of ['.wasm', '.js']) await tampered(ext, { browser, start, serverBin, dist, viewport, tools });
  log(`hardened: check took ${Date.now() - began} ms`);
}

/**
 * A copy of the bundle whose file ending in `ext` is changed, though it would still run
 * (the .wasm: one byte near its end, in a custom or data section; the .js: an empty
 * statement added), with no compressed siblings: the page must refuse it, and say so.
 */
async function tampered(ext, { browser, start, serverBin, dist, viewport, tools }) {
  const { appState, assert, log, until, watchConsole } = tools;
  const dir = await mkdtemp(join(tmpdir(), 'confab-tampered-'));
  try {
    await mkdir(join(dir, 'assets'));
    for (const sub of ['', 'assets']) {
      for (const f of await readdir(join(dist, sub), { withFileTypes: true })) {
        if (f.isFile() && !/\.(gz|br)$/.test(f.name)) await copyFile(join(dist, sub, f.name), join(dir, sub, f.name));
      }
    }
    const file = join(dir, (await readdir(dir)).find((f) => f.endsWith(ext)));
    let bytes = await readFile(file);
    if (ext === '.js') bytes = Buffer.concat([bytes, Buffer.from('\n;\n')]);
    else bytes[bytes.length - 2] ^= 0x20;
    await writeFile(file, bytes);

    const { relay, origin } = await relayFor(start, serverBin, 'tampered relay', dir);
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    watchConsole(page, 'tampered');
    const lines = [];
    page.on('console', (m) => lines.push(m.text()));
    await page.goto(`${origin}/`);
    const status = await until('the page to say it could not load', async () => {
      const text = await page.locator('#status').innerText().catch(() => '');
      return /could not load/.test(text) ? text : null;
    });
    assert((await appState(page)) === null, `an app with a tampered ${ext} must not start`);
    assert(lines.some((l) => /integrity/i.test(l)), `the browser names the integrity check: ${lines.join(' | ')}`);
    log(`hardened: a changed ${ext} was refused: "${status.replace(/\s+/g, ' ')}"`);
    await context.close();
    relay.child.kill('SIGTERM');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
