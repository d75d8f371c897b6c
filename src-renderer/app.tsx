import { useEffect } from 'react';
import { Header } from './components/header';
import { Nav } from './components/nav';
import { useHashView } from './components/use-hash-view';
import { useAuthStore, useLocaleStore } from './stores/app-stores';
import { VIEWS } from './views';
import { AuthScreen } from './views/auth/auth-screen';
import { TokenRevealDialog } from './views/tokens/token-reveal-dialog';
import { DropOverlay, useWindowTemplateDrop } from './views/templates/template-drop';

export function App() {
  const locale = useLocaleStore((s) => s.locale);
  const signedIn = useAuthStore((s) => s.phase === 'signed-in');
  // The document language picks Japanese glyph forms and line breaking rules.
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  return (
    <div className="app">
      <Header />
      {signedIn ? <Shell /> : <AuthScreen />}
    </div>
  );
}

function Shell() {
  const view = useHashView();
  const View = VIEWS[view];
  const dragging = useWindowTemplateDrop();
  return (
    <div className="app-body">
      {dragging ? <DropOverlay /> : null}
      <Nav current={view} />
      <main className="app-main" data-testid={`view-${view}`}>
        <View />
      </main>
      <TokenRevealDialog />
    </div>
  );
}
