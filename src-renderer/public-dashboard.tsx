import { useEffect } from 'react';
import { LanguageSwitch } from './components/language-switch';
import { useMessages } from './i18n/use-messages';
import { useLocaleStore, useMetricsStore } from './stores/app-stores';
import { MetricsPanels } from './views/dashboard/metrics-panels';
import { formatTime } from './components/format';

/** How often the read-only page reads the figures again (it has no event stream: no sign-in). */
export const PUBLIC_REFRESH_MS = 30_000;

/** `/public/dashboard`: the Dashboard's figures without sign-in (while `api.public_metrics` is on). */
export function PublicDashboard() {
  const t = useMessages();
  const locale = useLocaleStore((s) => s.locale);
  const load = useMetricsStore((s) => s.load);
  const generatedAt = useMetricsStore((s) => s.metrics?.generated_at);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  useEffect(() => {
    const timer = setInterval(() => void load(), PUBLIC_REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);
  return (
    <div className="app public-dashboard" data-testid="public-dashboard">
      <header className="app-header">
        <h1 data-testid="app-title">{t.dashboard.publicTitle}</h1>
        <div className="header-tools">
          {generatedAt ? <span className="muted">{t.dashboard.refreshed(formatTime(generatedAt, locale))}</span> : null}
          <LanguageSwitch />
        </div>
      </header>
      <main className="app-main">
        <MetricsPanels />
      </main>
    </div>
  );
}
