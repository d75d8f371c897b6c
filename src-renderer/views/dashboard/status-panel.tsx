import { CONTRACT } from '@shared/contract';
import { useMessages } from '../../i18n/use-messages';
import { formatTime } from '../../components/format';
import { QueryMessage } from '../../components/query-message';
import { useDashboardStore, useLocaleStore } from '../../stores/app-stores';

const STATUS_BINDING = `${CONTRACT['system.status'].http.method} ${CONTRACT['system.status'].http.path}`;

/** `system.status`: version, folders, the loopback API and every config problem with file:line:column. */
export function StatusPanel() {
  const t = useMessages();
  const locale = useLocaleStore((s) => s.locale);
  const status = useDashboardStore((s) => s.status);
  const error = useDashboardStore((s) => s.error);
  const system = useDashboardStore((s) => s.system);
  const load = useDashboardStore((s) => s.load);
  return (
    <section className="panel" data-testid="status-panel" data-state={status}>
      <h3>{t.dashboard.status}</h3>
      {status !== 'ready' || !system ? (
        <QueryMessage status={status} error={error} binding={STATUS_BINDING} onReload={() => void load()} />
      ) : (
        <>
          <dl className="facts">
            <dt>{t.dashboard.version}</dt>
            <dd data-testid="status-version">{system.version}</dd>
            <dt>{t.dashboard.dataDir}</dt>
            <dd className="path" data-testid="status-data-dir">{system.data_dir}</dd>
            <dt>{t.dashboard.configDir}</dt>
            <dd className="path">{system.config_dir}</dd>
            <dt>{t.dashboard.startedAt}</dt>
            <dd>{formatTime(system.started_at, locale)}</dd>
            {system.api ? (
              <>
                <dt>{t.dashboard.api}</dt>
                {system.api.error ? (
                  <dd className="error" data-testid="status-api-error" role="alert">
                    {t.dashboard.apiError}: {system.api.error}
                  </dd>
                ) : (
                  <dd className="path" data-testid="status-api-url">{system.api.url}</dd>
                )}
              </>
            ) : null}
          </dl>
          {system.config_problems.length === 0 ? (
            <p className="notice ok" data-testid="config-ok">
              {t.dashboard.configOk}
            </p>
          ) : (
            <div className="notice error" role="alert">
              <p>{t.dashboard.configProblems(system.config_problems.length)}</p>
              <p className="detail">{t.dashboard.configProblemsNote}</p>
              <ul className="problems">
                {system.config_problems.map((p, i) => (
                  <li key={i} data-testid="config-problem">
                    <code className="path">
                      {p.file}:{p.line}:{p.column}
                    </code>{' '}
                    <span>{p.path}: {p.message}</span>
                  </li>
                ))}
              </ul>
            </div>
          )}
        </>
      )}
    </section>
  );
}
