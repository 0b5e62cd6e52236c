import { useEffect, useState } from 'preact/hooks';

/**
 * Hash routes (#/pipelines, #/pipelines/<id>, #/audit): the page is one HTML file, and ids in the
 * fragment never reach the server or its logs. The token is never part of a route.
 */
export type Route =
  | { page: 'pipelines' }
  | { page: 'pipeline'; id: string }
  | { page: 'audit' }
  | { page: 'unknown'; hash: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0 || (parts[0] === 'pipelines' && parts.length === 1)) return { page: 'pipelines' };
  if (parts[0] === 'pipelines' && parts.length === 2 && parts[1]) return { page: 'pipeline', id: parts[1] };
  if (parts[0] === 'audit' && parts.length === 1) return { page: 'audit' };
  return { page: 'unknown', hash };
}

export const hrefOf = {
  pipelines: () => '#/pipelines',
  pipeline: (id: string) => `#/pipelines/${encodeURIComponent(id)}`,
  audit: () => '#/audit',
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
