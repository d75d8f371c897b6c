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
