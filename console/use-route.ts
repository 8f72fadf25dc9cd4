/** The console's address within the page: `#/path?query`, followed as it changes. */
import { useEffect, useState } from 'preact/hooks';

/** A route: the path's parts and the query. */
export interface Route {
  parts: string[];
  query: URLSearchParams;
}

function current(): Route {
  // The route is in the hash; an address without one (`/runs`, typed or bookmarked) is read from the path.
  const hash = location.hash ? location.hash.replace(/^#\/?/, '') : `${location.pathname.replace(/^\//, '')}${location.search}`;
  const [path = '', query = ''] = hash.split('?');
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(query) };
}

/** The current route, updated on every hash change. */
export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const on = (): void => setRoute(current());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

/** The address of a route. */
export function href(parts: string[], query: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
  const qs = q.toString();
  return `#/${parts.map(encodeURIComponent).join('/')}${qs ? `?${qs}` : ''}`;
}

/** Calls `f` now and every `ms` milliseconds while `active`, until the component goes. */
export function usePoll(f: () => void, ms: number, deps: unknown[], active = true): void {
  useEffect(() => {
    f();
    if (!active) return undefined;
    const timer = setInterval(f, ms);
    return () => clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, active]);
}
