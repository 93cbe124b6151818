/** The current route, following the History API: `navigate` and the back button both update it. */

import { matchRoute, pathFor, type Route } from './routes';

let current = $state.raw<Route>(matchRoute(location.pathname, location.search));

export const router = {
  get route(): Route {
    return current;
  },
};

export function navigate(to: Route | string, options: { replace?: boolean } = {}): void {
  const path = typeof to === 'string' ? to : pathFor(to);
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  const url = new URL(path, location.href);
  current = matchRoute(url.pathname, url.search);
  if (!options.replace) window.scrollTo(0, 0);
}

window.addEventListener('popstate', () => {
  current = matchRoute(location.pathname, location.search);
});

/** Lets plain same-origin links navigate without reloading the page. */
export function interceptLinks(root: HTMLElement): () => void {
  const onClick = (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = (event.target as Element | null)?.closest?.('a');
    if (!anchor || anchor.target || anchor.hasAttribute('download')) return;
    const url = new URL(anchor.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
    // A place on this page (`#main`, `#personal-data`): the browser scrolls there itself.
    if (url.hash && url.pathname === location.pathname && url.search === location.search) return;
    event.preventDefault();
    navigate(url.pathname + url.search);
  };
  root.addEventListener('click', onClick);
  return () => root.removeEventListener('click', onClick);
}
