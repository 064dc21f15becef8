// Confab's service worker: keeps the app shell (the page, trunk's hashed .js and .wasm,
// the icons and the manifest) so a reload without a network, or with the relay stopped,
// opens the app at once and says "offline" instead of the browser's error page. It also
// focuses the chat when a notification is clicked (notifier/web.rs shows them through this
// worker's registration).
//
// What it never touches: WebSocket traffic (a service worker never sees it), the relay's
// /attachments, /healthz and /metrics, anything that is not a GET, and other origins.
//
// How it knows the hashed names: trunk writes them into index.html (`confab-<hash>.js`,
// `confab-<hash>_bg.wasm`), so on install, and after each page load from the network, it
// reads the page and keeps every same-origin file the page names. Files of older builds
// are dropped then. The relay serves hashed names as immutable and this file as `no-cache`
// (server/src/web/files.rs), so a new build is seen on the next visit.
//
// Navigations go to the network first, with a short time limit, so an online visit always
// gets the current page (and so the current build); only when that fails is the kept page
// served, marked `data-offline` on <html> for the page's "offline" banner (index.html).

const CACHE = 'confab-shell-v1';
/** How long a navigation waits for the network before the kept page is served. */
const NETWORK_MS = 4000;
/** Kept whatever the page names: the page itself and what the manifest points at. */
const FIXED = ['./', 'assets/manifest.json', 'assets/icon.svg', 'assets/icon-192.png', 'assets/icon-512.png'];
/** Paths of the relay that are live data, never part of the shell. */
const NEVER = ['/attachments', '/healthz', '/metrics'];

const scope = new URL(self.registration.scope);

/** Whether a request is one this worker may answer from, or store in, its cache. */
function cacheable(request) {
  if (request.method !== 'GET') return false;
  if (request.headers.get('upgrade')) return false;
  const url = new URL(request.url);
  if (url.origin !== scope.origin) return false;
  const path = url.pathname.slice(scope.pathname.length - 1);
  return !NEVER.some((p) => path === p || path.startsWith(p + '/'));
}

/** The same-origin files `html` links to or loads (trunk's hashed files among them). */
function named(html) {
  const names = new Set(FIXED.map((f) => new URL(f, scope).href));
  for (const m of html.matchAll(/(?:href|src)="([^"#?]+)"/g)) {
    const url = new URL(m[1], scope);
    if (url.origin === scope.origin && cacheable(new Request(url))) names.add(url.href);
  }
  return names;
}

/**
 * The headers the kept page is served with: its type and the security headers the relay
 * sent with it (server/src/web/policy.rs), so the offline copy runs under the same
 * Content-Security-Policy as the page from the network.
 */
function pageHeaders(from) {
  const headers = new Headers({ 'content-type': 'text/html; charset=utf-8' });
  for (const name of ['content-security-policy', 'referrer-policy', 'x-frame-options']) {
    const value = from.get(name);
    if (value) headers.set(name, value);
  }
  return headers;
}

/** Keeps `html` (with `headers`) as the page, fetches what it names that is not kept yet, drops the rest. */
async function keepShell(html, headers) {
  const cache = await caches.open(CACHE);
  const wanted = named(html);
  await cache.put(new URL('./', scope).href, new Response(html, { headers: pageHeaders(headers) }));
  for (const request of await cache.keys()) {
    if (!wanted.has(request.url)) await cache.delete(request);
  }
  await Promise.all(
    [...wanted].map(async (href) => {
      if (href === new URL('./', scope).href || (await cache.match(href))) return;
      const response = await fetch(href, { cache: 'no-cache' });
      if (response.ok) await cache.put(href, response);
    }),
  );
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    fetch(new URL('./', scope), { cache: 'no-cache' })
      .then((r) => r.text().then((html) => keepShell(html, r.headers)))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith('confab-') && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

/** The page from the network within NETWORK_MS, else the kept one marked offline. */
async function navigate(event) {
  const cache = await caches.open(CACHE);
  const network = fetch(event.request);
  const timeout = new Promise((_, fail) => setTimeout(() => fail(new Error('slow network')), NETWORK_MS));
  try {
    const response = await Promise.race([network, timeout]);
    if (response.ok && new URL(event.request.url).pathname === scope.pathname) {
      const copy = response.clone();
      event.waitUntil(copy.text().then((html) => keepShell(html, copy.headers)).catch(() => {}));
    }
    return response;
  } catch (err) {
    const kept = await cache.match(new URL('./', scope).href);
    if (!kept) throw err;
    const html = (await kept.text()).replace('<html', '<html data-offline');
    return new Response(html, { headers: kept.headers });
  }
}

/** A kept file at once (hashed names never change); otherwise the network, kept. */
async function shellFile(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request, { ignoreSearch: true });
  if (kept) return kept;
  return fetch(request);
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (!cacheable(request)) return; // the browser fetches it as if there were no worker
  if (request.mode === 'navigate') {
    event.respondWith(navigate(event));
  } else {
    event.respondWith(shellFile(request));
  }
});

// A click on a notification brings the chat forward (or opens it again).
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      const open = windows.find((w) => w.url.startsWith(scope.href));
      return open ? open.focus() : self.clients.openWindow(scope.href);
    }),
  );
});
