import { useEffect, useState } from 'react';
import { viewOfHash, type ViewName } from '../views';

/** Hash routes (`#/runs`) work the same from the app protocol and from `serve` at `/`. */
export function useHashView(): ViewName {
  const [view, setView] = useState(() => viewOfHash(window.location.hash));
  useEffect(() => {
    const changed = () => setView(viewOfHash(window.location.hash));
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return view;
}

/** The ID in a `#/<view>/<id>` route (a run, an approval), decoded. */
export function idOfHash(hash: string, view: ViewName): string | undefined {
  const m = new RegExp(`^#/?${view}/([^/?]+)`).exec(hash);
  return m ? decodeURIComponent(m[1]!) : undefined;
}

/** The ID the route names for a view, following hash changes (a link, a notification's click, Back). */
export function useHashId(view: ViewName): string | undefined {
  const [id, setId] = useState(() => idOfHash(window.location.hash, view));
  useEffect(() => {
    const changed = () => setId(idOfHash(window.location.hash, view));
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, [view]);
  return id;
}
