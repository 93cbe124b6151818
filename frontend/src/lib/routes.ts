/** The app's addresses: a pure mapping between paths and routes (tested), no router library. */

export type Route =
  | { name: 'home'; code: string }
  | { name: 'join'; code: string }
  | { name: 'login' }
  | { name: 'workshops' }
  | { name: 'workshop'; workshopId: number }
  | { name: 'checklist'; workshopId: number; checklistId: number }
  | { name: 'projector'; workshopId: number; checklistId: number }
  | { name: 'consolidate'; workshopId: number }
  | { name: 'edition'; slug: string; query: string }
  | { name: 'assessment'; secret: string }
  | { name: 'notFound' };

const ID = '([1-9][0-9]{0,15})';
// Public links carry unguessable URL-safe tokens (an edition's slug, an assessment's secret).
const TOKEN = '([A-Za-z0-9_-]{8,128})';
const PATTERNS: [RegExp, (m: RegExpMatchArray, code: string, search: string) => Route][] = [
  [/^\/$/, (_, code) => ({ name: 'home', code })],
  [/^\/join$/, (_, code) => ({ name: 'join', code })],
  [/^\/login$/, () => ({ name: 'login' })],
  [/^\/w$/, () => ({ name: 'workshops' })],
  [new RegExp(`^/w/${ID}$`), (m) => ({ name: 'workshop', workshopId: Number(m[1]) })],
  [new RegExp(`^/w/${ID}/consolidate$`), (m) => ({ name: 'consolidate', workshopId: Number(m[1]) })],
  [
    new RegExp(`^/w/${ID}/c/${ID}$`),
    (m) => ({ name: 'checklist', workshopId: Number(m[1]), checklistId: Number(m[2]) }),
  ],
  [
    new RegExp(`^/w/${ID}/c/${ID}/projector$`),
    (m) => ({ name: 'projector', workshopId: Number(m[1]), checklistId: Number(m[2]) }),
  ],
  [new RegExp(`^/e/${TOKEN}$`), (m, _, search) => ({ name: 'edition', slug: m[1]!, query: search.replace(/^\?/, '') })],
  [new RegExp(`^/a/${TOKEN}$`), (m) => ({ name: 'assessment', secret: m[1]! })],
];

/** A join code as people type it: letters and digits only, upper-cased. */
export function cleanCode(raw: string): string {
  return raw.replace(/[^0-9a-z]/gi, '').toUpperCase().slice(0, 32);
}

export function matchRoute(pathname: string, search = ''): Route {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  const code = cleanCode(new URLSearchParams(search).get('code') ?? '');
  for (const [pattern, make] of PATTERNS) {
    const m = path.match(pattern);
    if (m) return make(m, code, search);
  }
  return { name: 'notFound' };
}

export function pathFor(route: Route): string {
  switch (route.name) {
    case 'home':
      return route.code ? `/?code=${encodeURIComponent(route.code)}` : '/';
    case 'join':
      return route.code ? `/join?code=${encodeURIComponent(route.code)}` : '/join';
    case 'login':
      return '/login';
    case 'workshops':
      return '/w';
    case 'workshop':
      return `/w/${route.workshopId}`;
    case 'checklist':
      return `/w/${route.workshopId}/c/${route.checklistId}`;
    case 'projector':
      return `/w/${route.workshopId}/c/${route.checklistId}/projector`;
    case 'edition':
      return `/e/${route.slug}${route.query ? `?${route.query}` : ''}`;
    case 'assessment':
      return `/a/${route.secret}`;
    case 'consolidate':
      return `/w/${route.workshopId}/consolidate`;
    case 'notFound':
      return '/';
  }
}
