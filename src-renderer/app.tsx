import { useEffect } from 'react';
import { Header } from './components/header';
import { Nav } from './components/nav';
import { useHashView } from './components/use-hash-view';
import { useLocaleStore } from './stores/app-stores';
import { VIEWS } from './views';

export function App() {
  const view = useHashView();
  const locale = useLocaleStore((s) => s.locale);
  // The document language picks Japanese glyph forms and line breaking rules.
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  const View = VIEWS[view];
  return (
    <div className="app">
      <Header />
      <div className="app-body">
        <Nav current={view} />
        <main className="app-main" data-testid={`view-${view}`}>
          <View />
        </main>
      </div>
    </div>
  );
}
