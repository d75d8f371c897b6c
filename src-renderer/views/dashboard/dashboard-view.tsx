import { useEffect } from 'react';
import { useMessages } from '../../i18n/use-messages';
import { useDashboardStore } from '../../stores/app-stores';
import { MetricsPanels } from './metrics-panels';
import { StatusPanel } from './status-panel';

export function DashboardView() {
  const t = useMessages();
  const load = useDashboardStore((s) => s.load);
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <>
      <h2>{t.dashboard.title}</h2>
      <MetricsPanels />
      <StatusPanel />
    </>
  );
}
