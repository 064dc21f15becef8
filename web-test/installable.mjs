// Phone-first checks (issue 28): the page is an installable app whose service worker keeps
// the shell, so a reload with the relay stopped still opens the app and says "offline"; and
// a mention or whisper reaching a page in the background raises a system notification.
//
// installableCheck runs on a relay of its own (it is stopped half way); notificationCheck
// uses the main test's phone, already in the room, whose context was prepared before the
// page opened (allowNotifications: the permission granted, as clicking "Allow" would, and
// the bell on). Both reuse the main test's browser: no browser start or join of their own.

/** The service worker's cache (app/sw.js). */
const CACHE = 'confab-shell-v1';

/**
 * The manifest is linked, served and parses with what installing needs; the service worker
 * registers, takes the page and keeps the hashed .js and .wasm; with the relay stopped, a
 * reload opens the app from that copy, with the "Offline" banner.
 */
export async function installableCheck({ browser, start, serverBin, dist, viewport, tools }) {
  const { appState, until, assert, log, watchConsole } = tools;
  const began = Date.now();
  const relay = start('pwa relay', serverBin, ['--bind', '127.0.0.1:0', '--web-dir', dist]);
  const opening = await relay.line('the page address', (l) => /open http:\/\/127\.0\.0\.1:\d+\//.test(l), 10_000);
  const origin = opening.match(/http:\/\/127\.0\.0\.1:\d+/)[0];
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  watchConsole(page, 'pwa');
  await page.goto(`${origin}/`);
  await until('the app to start', async () => (await appState(page)) !== null);

  // The manifest: linked from the page, served as JSON, with what an install needs.
  const href = await page.evaluate(() => document.querySelector('link[rel=manifest]')?.href);
  assert(href, 'the page links a manifest');
  const response = await context.request.get(href);
  assert(response.ok(), `manifest ${href}: ${response.status()}`);
  const type = response.headers()['content-type'] ?? '';
  assert(/json/.test(type), `manifest content type ${type}`);
  const manifest = JSON.parse(await response.text());
  assert(manifest.name === 'Confab' && manifest.display === 'standalone', `manifest ${JSON.stringify(manifest)}`);
  assert(new URL(manifest.start_url, href).href === `${origin}/`, `start_url ${manifest.start_url}`);
  for (const size of ['192x192', '512x512']) {
    const icon = manifest.icons.find((i) => i.sizes === size);
    assert(icon, `a ${size} icon`);
    const got = await context.request.get(new URL(icon.src, href).href);
    assert(got.ok() && got.headers()['content-type'] === 'image/png', `icon ${icon.src}: ${got.status()}`);
  }
  // Chromium's own reading of it: no parse errors, and what it says stops an install.
  const cdp = await context.newCDPSession(page);
  const parsed = await cdp.send('Page.getAppManifest');
  assert(parsed.errors.length === 0, `manifest errors: ${JSON.stringify(parsed.errors)}`);

  // The service worker: registered, controlling the page, the shell kept.
  const worker = await until('the service worker to control the page', () =>
    page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? null),
  );
  assert(worker === `${origin}/sw.js`, `service worker ${worker}`);
  const kept = await until('the shell to be kept', async () => {
    const urls = await page.evaluate(async (name) => {
      const cache = await caches.open(name);
      return (await cache.keys()).map((r) => r.url);
    }, CACHE);
    return urls.some((u) => u.endsWith('.wasm')) && urls.some((u) => /confab-[0-9a-f]+\.js$/.test(u)) ? urls : null;
  });
  // Installable but for the test's own profile: playwright's contexts are incognito ones.
  const installability = (await cdp.send('Page.getInstallabilityErrors')).installabilityErrors.map((e) => e.errorId);
  assert(installability.every((e) => e === 'in-incognito'), `installability errors: ${JSON.stringify(installability)}`);
  log(`pwa: manifest ok, worker ${worker}, ${kept.length} files kept; installability errors: ${JSON.stringify(installability)}`);

  // Offline: the relay is gone (page and WebSocket alike), the reload still opens the app.
  relay.child.kill('SIGTERM');
  await until('the pwa relay to stop', () => relay.child.exitCode !== null || relay.child.signalCode !== null, 5000);
  const fromWorker = [];
  page.on('response', (r) => fromWorker.push([r.url(), r.fromServiceWorker()]));
  const reloadStart = Date.now();
  await page.reload();
  await until('the app to start from the kept copy', async () => (await appState(page)) !== null);
  const drawnIn = Date.now() - reloadStart;
  const banner = await page.locator('#offline');
  assert(await banner.isVisible(), 'the offline banner shows');
  const words = await banner.innerText();
  assert(/Offline/.test(words), `banner says ${words}`);
  const wasm = fromWorker.find(([u]) => u.endsWith('.wasm'));
  assert(wasm && wasm[1], `the .wasm came from the service worker: ${JSON.stringify(wasm)}`);
  const state = await appState(page);
  assert(state.status === 'offline' && state.session === null, `join screen, got ${state.status}`);
  log(`pwa: relay stopped, reload drew the app in ${drawnIn} ms from the kept copy; banner "${words.replace(/\s+/g, ' ')}" (check took ${Date.now() - began} ms)`);
  await context.close();
}

/**
 * Prepares `context` before its pages open: notifications allowed for `origin` (what the
 * browser's "Allow" would do), the bell on (the app's saved preferences), and every
 * notification a page raises recorded in `window.__notified` (the Notification
 * constructor and `showNotification` are still called through).
 */
export async function allowNotifications(context, origin) {
  await context.grantPermissions(['notifications'], { origin });
  await context.addInitScript(() => {
    window.__notified = [];
    try {
      if (!localStorage.getItem('confab.prefs')) localStorage.setItem('confab.prefs', '{"alerts":true}');
    } catch {
      // about:blank has no storage.
    }
    const record = (title, options) => window.__notified.push({ title, body: options?.body ?? '', tag: options?.tag ?? '' });
    if (window.Notification) {
      const Real = window.Notification;
      window.Notification = class extends Real {
        constructor(title, options) {
          super(title, options);
          record(title, options);
        }
      };
    }
    if (window.ServiceWorkerRegistration) {
      const show = ServiceWorkerRegistration.prototype.showNotification;
      ServiceWorkerRegistration.prototype.showNotification = function (title, options) {
        record(title, options);
        return show.call(this, title, options);
      };
    }
  });
}

/**
 * `page` (joined as `me` in `room`, its context prepared by allowNotifications) goes to the
 * background (nothing of it has focus), then gets a system notification for a mention,
 * with the text, and for a whisper, without it; the service worker's registration lists
 * what it showed.
 */
export async function notificationCheck({ page, me, room, cli, tools }) {
  const { until, assert, log, settle } = tools;
  const began = Date.now();
  await page.evaluate(() => document.activeElement?.blur());
  await settle();
  const notified = (n) => until(`notification ${n}`, async () => {
    const all = await page.evaluate(() => window.__notified);
    return all.length >= n ? all : null;
  });
  cli.child.stdin.write(`@${me} the build is green\n`);
  let shown = await notified(1);
  assert(shown[0].title === `cli mentioned you in ${room}`, `mention title: ${shown[0].title}`);
  assert(shown[0].body === `@${me} the build is green`, `mention body: ${shown[0].body}`);
  cli.child.stdin.write(`/w ${me} the door code is 4711\n`);
  shown = await notified(2);
  assert(shown[1].title === `cli whispered to you in ${room}`, `whisper title: ${shown[1].title}`);
  assert(!shown[1].body.includes('4711'), `a whisper's text stays out: ${shown[1].body}`);
  const listed = await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    return registration ? (await registration.getNotifications()).map((n) => n.title) : null;
  });
  // Shown through the worker's registration (the page is controlled by then): the whisper
  // replaced the mention, as both carry the room's tag.
  assert(listed === null || listed.includes(shown[1].title), `the worker lists ${JSON.stringify(listed)}`);
  log(`notifications: ${JSON.stringify(shown.map((s) => s.title))}; the worker lists ${JSON.stringify(listed)} (check took ${Date.now() - began} ms)`);
}
