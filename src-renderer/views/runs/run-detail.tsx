import { useEffect, useRef, useState, type ReactNode } from 'react';
import { ConfirmDialog } from '../../components/dialog';
import { ErrorNotice } from '../../components/form';
import { formatTime } from '../../components/format';
import { QueryMessage } from '../../components/query-message';
import { useNow } from '../../components/use-now';
import { useMessages } from '../../i18n/use-messages';
import { useAuthStore, useClient, useLocaleStore, useRunDetailStore } from '../../stores/app-stores';
import { artifactUrl, isImage, runActions, type RunAction, type RunArtifact, type RunDetail, type RunStep } from '../../stores/run-detail-store';
import { elapsedMs, formatDuration, jsonText, runHash } from './run-format';
import { RunStatusPill } from './runs-view';
import { Table } from '../../components/table';
import { clusterTexts } from '../clusters/cluster-texts';

/** Actions that cannot be taken back are confirmed first. */
const CONFIRMED: ReadonlySet<RunAction> = new Set(['cancel', 'delete']);

/** One run: what it is, its attempts, its steps with params, results, errors and artifacts, and what may be done to it. */
export function RunDetailPanel({ onClose }: { onClose: () => void }) {
  const t = useMessages();
  const id = useRunDetailStore((s) => s.id);
  const status = useRunDetailStore((s) => s.status);
  const error = useRunDetailStore((s) => s.error);
  const run = useRunDetailStore((s) => s.run);
  const load = useRunDetailStore((s) => s.load);
  const actionError = useRunDetailStore((s) => s.actionError);
  // The details open below the list: bring them into view when another run is opened.
  const panel = useRef<HTMLElement>(null);
  useEffect(() => {
    if (id) panel.current?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }, [id]);

  return (
    <section ref={panel} className="panel wide run-detail" data-testid="run-detail" data-state={status} data-run-id={id} aria-label={run ? t.runs.detailTitle(run.template) : t.runs.title}>
      <div className="run-detail-head">
        <h3 data-testid="run-detail-title">{run ? t.runs.detailTitle(run.template) : t.runs.title}</h3>
        <button type="button" className="small" onClick={onClose} data-testid="run-detail-close">
          {t.runs.close}
        </button>
      </div>
      {/* Outside the run's facts: a refusal stays in view even when the run is gone (deleted elsewhere). */}
      <ErrorNotice title={actionError ? t.runs.failed[actionError.action] : ''} error={actionError?.error} testId="run-action-error" />
      {status !== 'ready' || !run ? (
        <QueryMessage status={status} error={error} binding="GET /api/runs/{id}" onReload={() => void load()} />
      ) : (
        <>
          <RunOperations run={run} />
          <RunFacts run={run} />
          <Attempts run={run} />
          <Steps run={run} />
        </>
      )}
    </section>
  );
}

function RunOperations({ run }: { run: RunDetail }) {
  const t = useMessages();
  const client = useClient();
  const permissions = useAuthStore((s) => s.me?.permissions ?? []);
  const busy = useRunDetailStore((s) => s.busy);
  const done = useRunDetailStore((s) => s.done);
  const act = useRunDetailStore((s) => s.act);
  const [confirming, setConfirming] = useState<RunAction>();
  const actions = runActions(client, run.status, permissions);

  const confirm = async () => {
    if (!confirming) return;
    await act(confirming);
    setConfirming(undefined);
  };

  return (
    <>
      {actions.length ? (
        <div className="run-actions" data-testid="run-actions">
          {actions.map((a) => (
            <button
              key={a}
              type="button"
              className={CONFIRMED.has(a) ? 'danger' : undefined}
              disabled={busy !== undefined}
              onClick={() => (CONFIRMED.has(a) ? setConfirming(a) : void act(a))}
              data-testid={`run-${a}`}
            >
              {busy === a ? t.common.busy : t.runs.actions[a]}
            </button>
          ))}
        </div>
      ) : null}
      {done && done.runId === run.id ? (
        <p className="notice ok" role="status" data-testid="run-notice">
          {t.runs.done[done.action]}{' '}
          {done.newRunId ? (
            <a href={runHash(done.newRunId)} data-testid="run-open-new">
              {t.runs.openNew}
            </a>
          ) : null}
        </p>
      ) : null}
      {confirming ? (
        <ConfirmDialog
          title={confirming === 'cancel' ? t.runs.cancelTitle : t.runs.deleteTitle}
          message={confirming === 'cancel' ? t.runs.cancelConfirm(run.template, run.id) : t.runs.deleteConfirm(run.template, run.id)}
          confirmLabel={confirming === 'cancel' ? t.runs.cancelOk : t.runs.actions.delete}
          cancelLabel={t.runs.keep}
          busy={busy !== undefined}
          onConfirm={() => void confirm()}
          onCancel={() => setConfirming(undefined)}
        />
      ) : null}
    </>
  );
}

function RunFacts({ run }: { run: RunDetail }) {
  const t = useMessages();
  const locale = useLocaleStore((s) => s.locale);
  const now = useNow(run.status === 'running');
  const time = (iso: string | null) => (iso ? formatTime(iso, locale) : t.values.none);
  const facts: [string, ReactNode, string?][] = [
    [t.runs.status, <RunStatusPill key="s" status={run.status} testId="run-status" />],
    [t.runs.template, run.template, 'run-template'],
    [t.runs.queue, run.queue, 'run-queue'],
    [t.runs.priority, run.priority],
    [t.runs.attempts, run.attempts, 'run-attempts'],
    [t.runs.trigger, run.trigger],
    [t.runs.requestedBy, run.requested_by ?? t.values.none],
    [t.runs.created, time(run.created_at)],
    [t.runs.started, time(run.started_at)],
    [t.runs.finished, time(run.finished_at)],
    [t.runs.duration, formatDuration(elapsedMs(run.started_at, run.finished_at, now), t), 'run-duration'],
    [t.runs.id, <span key="i" className="mono">{run.id}</span>, 'run-id'],
  ];
  if (run.dry_run) facts.push([t.runs.dryRun, t.values.yes]);
  if (run.retry_of) facts.push([t.runs.retryOf, <a key="r" href={runHash(run.retry_of)} className="mono">{run.retry_of}</a>, 'run-retry-of']);
  return (
    <>
      <dl className="facts run-facts">
        {facts.map(([label, value, testId]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd data-testid={testId}>{value}</dd>
          </div>
        ))}
      </dl>
      {run.error ? (
        <div className="notice error" data-testid="run-error">
          <p className="notice-title">
            {t.runs.error}
            {run.error_code ? <code className="code"> {run.error_code}</code> : null}
          </p>
          <p className="pre-line">{run.error}</p>
          <RunFailureClusters />
        </div>
      ) : null}
      {Object.keys(run.variables).length ? (
        <details className="run-json">
          <summary>{t.runs.variables}</summary>
          <pre data-testid="run-variables">{jsonText(run.variables)}</pre>
        </details>
      ) : null}
    </>
  );
}

function Attempts({ run }: { run: RunDetail }) {
  const t = useMessages();
  const locale = useLocaleStore((s) => s.locale);
  return (
    <>
      <h4>{t.runs.attemptHistory}</h4>
      {run.attempt_history.length === 0 ? (
        <p className="muted">{t.runs.noAttempts}</p>
      ) : (
        <Table testId="run-attempts-table" columns={[t.runs.attempt, t.runs.status, t.runs.started, t.runs.duration, t.runs.error]}>
          {run.attempt_history.map((a) => (
            <tr key={a.attempt} data-testid="run-attempt">
              <td className="num">{a.attempt}</td>
              <td>{a.status in t.runs.statuses ? t.runs.statuses[a.status as keyof typeof t.runs.statuses] : a.status}</td>
              <td>{a.started_at ? formatTime(a.started_at, locale) : t.values.none}</td>
              <td>{formatDuration(a.finished_at ? elapsedMs(a.started_at, a.finished_at, 0) : undefined, t)}</td>
              <td>
                {a.error ?? t.values.none}
                {a.error_code ? <code className="code"> {a.error_code}</code> : null}
              </td>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}

function Steps({ run }: { run: RunDetail }) {
  const t = useMessages();
  return (
    <>
      <h4>{t.runs.steps}</h4>
      {run.steps.length === 0 ? (
        <p className="muted" data-testid="run-no-steps">
          {t.runs.noSteps}
        </p>
      ) : (
        <ol className="run-steps" data-testid="run-steps">
          {run.steps.map((s) => (
            <StepItem key={s.index} runId={run.id} step={s} />
          ))}
        </ol>
      )}
    </>
  );
}

function StepItem({ runId, step }: { runId: string; step: RunStep }) {
  const t = useMessages();
  const client = useClient();
  const now = useNow(step.status === 'running');
  return (
    <li className={`run-step step-${step.status}`} data-testid="run-step" data-index={step.index} data-action={step.action} data-status={step.status}>
      <div className="run-step-head">
        <span className="step-index">{step.index + 1}</span>
        <span className="mono" data-testid="run-step-action">
          {step.action}
        </span>
        {step.id ? <span className="muted">{step.id}</span> : null}
        <span className={`pill step-pill step-pill-${step.status}`} data-testid="run-step-status">
          {t.runs.stepStatuses[step.status]}
        </span>
        <span className="muted" data-testid="run-step-duration">
          {formatDuration(step.duration_ms ?? elapsedMs(step.started_at, step.finished_at, now), t)}
        </span>
      </div>
      {step.error ? (
        <p className="step-error" data-testid="run-step-error">
          {step.error_code ? <code className="code">{step.error_code} </code> : null}
          {step.error}
        </p>
      ) : null}
      {step.params !== null && step.params !== undefined ? (
        <details className="run-json">
          <summary>{t.runs.params}</summary>
          <pre data-testid="run-step-params">{jsonText(step.params)}</pre>
        </details>
      ) : null}
      {step.result !== null && step.result !== undefined ? (
        <details className="run-json">
          <summary>{t.runs.result}</summary>
          <pre data-testid="run-step-result">{jsonText(step.result)}</pre>
        </details>
      ) : null}
      {step.artifacts.length ? (
        <div className="run-artifacts" data-testid="run-step-artifacts">
          <span className="field-label">{t.runs.artifacts}</span>
          {step.artifacts.map((a) => (
            <Artifact key={a.name} url={artifactUrl(client, runId, a.name)} artifact={a} step={step.index + 1} />
          ))}
        </div>
      ) : null}
    </li>
  );
}

function Artifact({ url, artifact, step }: { url?: string; artifact: RunArtifact; step: number }) {
  const t = useMessages();
  const size = `${Math.max(1, Math.round(artifact.bytes / 1024))} KB`;
  if (!url) {
    return (
      <p className="muted" data-testid="run-artifact">
        <span className="mono">{artifact.name}</span> ({size}) — {t.runs.appArtifacts}
      </p>
    );
  }
  return (
    <figure className="run-artifact" data-testid="run-artifact" data-name={artifact.name} data-kind={artifact.kind}>
      {isImage(artifact) ? (
        <a href={url} target="_blank" rel="noreferrer">
          <img src={url} alt={t.runs.screenshot(artifact.name, step)} data-testid="run-artifact-image" />
        </a>
      ) : null}
      <figcaption>
        <span className="mono">{artifact.name}</span> <span className="muted">({size})</span>{' '}
        <a href={url} download={artifact.name} data-testid="run-artifact-download">
          {t.runs.download}
        </a>
      </figcaption>
    </figure>
  );
}

/** The failure clusters of this run's failures, with their recommended actions (beside the error). */
function RunFailureClusters() {
  const t = useMessages();
  const locale = useLocaleStore((s) => s.locale);
  const clusters = useRunDetailStore((s) => s.clusters);
  if (!clusters.length) return null;
  return (
    <div className="run-clusters" data-testid="run-clusters">
      {clusters.map((c) => {
        const texts = clusterTexts(c, locale);
        return (
          <div key={c.id} data-testid="run-cluster" data-id={c.id}>
            <p className="notice-title">
              {t.failureClusters.runCluster}: <a href="#/clusters">{texts.name}</a> <code className="code">{c.id}</code>
            </p>
            <p>{t.failureClusters.actions}:</p>
            <ul data-testid="run-cluster-actions">
              {texts.actions.map((a) => (
                <li key={a}>{a}</li>
              ))}
            </ul>
          </div>
        );
      })}
    </div>
  );
}
