/*
 * Roundtable's service worker: it keeps the app itself (the page and its hashed scripts and
 * styles) so that a reload on bad Wi-Fi still opens the checklist. The checklist's data never
 * passes through here: the app keeps its confirmed state and unsent changes itself (see
 * src/sync/client.ts and src/sync/outbox.ts) and talks to /api over the network only.
 *
 * - Pages: network first; when the network fails, the last app page we saw.
 * - /assets/*: names carry a content hash, so a cached copy is always right (cache first).
 * - Everything else (/api, /docs, /metrics, other origins, non-GET) is not touched.
 * When a new app page arrives, scripts it no longer refers to are dropped.
 */

const CACHE = 'rt-app-v1';
const PAGE = '/';

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const page = await fetch(PAGE, { cache: 'no-store' });
      if (page.ok) await keepPage(cache, page);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate' && isAppPath(url.pathname)) {
    event.respondWith(page(request));
  } else if (url.pathname.startsWith('/assets/')) {
    event.respondWith(asset(request));
  }
});

function isAppPath(path) {
  return !(path.startsWith('/api/') || path.startsWith('/docs') || path === '/metrics' || path === '/openapi.json');
}

async function page(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && isHtml(response)) await keepPage(cache, response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match(PAGE);
    if (kept) return kept;
    throw error;
  }
}

async function asset(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

function isHtml(response) {
  return (response.headers.get('content-type') || '').startsWith('text/html');
}

/** Store the app page and the assets it names; forget assets of older builds it no longer names. */
async function keepPage(cache, response) {
  const html = await response.clone().text();
  const named = new Set([...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]));
  const previous = await cache.match(PAGE);
  const changed = !previous || (await previous.text()) !== html;
  await cache.put(PAGE, new Response(html, { headers: { 'content-type': 'text/html; charset=utf-8' } }));
  if (!changed) return;
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (path.startsWith('/assets/') && !named.has(path)) await cache.delete(request);
  }
  await Promise.all(
    [...named].map(async (path) => {
      if (await cache.match(path)) return;
      try {
        const asset = await fetch(path);
        if (asset.ok) await cache.put(path, asset);
      } catch {
        // Fetched again the next time the page asks for it.
      }
    }),
  );
}
