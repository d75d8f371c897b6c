import { useEffect, useState, type FormEvent } from 'react';
import type { ErrorBody } from '@shared/contract/errors';
import { ErrorNotice } from '../../components/form';
import { useMessages } from '../../i18n/use-messages';
import { useTemplatesStore } from '../../stores/app-stores';
import { declaredVariables, variablesOf, type Enqueued, type TemplateDetail, type VariableRow } from '../../stores/templates-store';

const PRIORITIES = [1, 2, 3, 4, 5, 6, 7, 8, 9] as const;

/**
 * Runs the saved template (`runs.enqueue`, create_runs): variables as key = value rows (those the
 * template declares are filled in with their defaults), priority 1–9, queue, dry run.
 */
export function RunForm({ template, dirty }: { template: TemplateDetail; dirty: boolean }) {
  const t = useMessages();
  const queues = useTemplatesStore((s) => s.queues);
  const enqueue = useTemplatesStore((s) => s.enqueue);
  // Undefined until the template's declared variables are read (then they are the first rows).
  const [declared, setDeclared] = useState<VariableRow[]>();
  const [edited, setEdited] = useState<VariableRow[]>();
  const rows = edited ?? declared ?? [];
  const [priority, setPriority] = useState('');
  const [queue, setQueue] = useState('');
  const [dryRun, setDryRun] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorBody>();
  const [queued, setQueued] = useState<Enqueued & { dry_run: boolean }>();
  const { variables, problems } = variablesOf(rows);

  useEffect(() => {
    let current = true;
    void declaredVariables(template.yaml).then((r) => current && setDeclared(r));
    return () => {
      current = false;
    };
  }, [template.yaml]);

  // A row takes the declared type of the key it names (none for a key the template does not declare).
  const typeOf = (key: string) => declared?.find((d) => d.key === key.trim())?.type;
  const setRow = (i: number, patch: Partial<VariableRow>) =>
    setEdited(rows.map((r, n) => (n === i ? { ...r, ...patch, ...(patch.key !== undefined ? { type: typeOf(patch.key) } : {}) } : r)));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (problems.length) return;
    setBusy(true);
    setError(undefined);
    setQueued(undefined);
    const r = await enqueue({
      template: template.name,
      variables,
      dry_run: dryRun,
      ...(priority ? { priority: Number(priority) } : {}),
      ...(queue ? { queue } : {}),
    });
    setBusy(false);
    if (r.ok) setQueued({ ...r.data, dry_run: dryRun });
    else setError(r.error);
  };

  return (
    <section className="panel wide" data-testid="run-form">
      <h3>{t.templates.runTitle}</h3>
      {!template.valid ? <p className="notice warn">{t.templates.runInvalid}</p> : null}
      {dirty ? (
        <p className="notice warn" data-testid="run-unsaved">
          {t.templates.runUnsaved}
        </p>
      ) : null}
      <form onSubmit={(e) => void submit(e)} noValidate autoComplete="off">
        <fieldset className="var-rows">
          <legend className="field-label">{t.templates.variables}</legend>
          {rows.length === 0 ? <p className="muted">{t.templates.noVariables}</p> : null}
          {rows.map((r, i) => {
            const problem = problems.find((p) => p.row === i);
            return (
              <div className="var-row" key={i} data-testid="run-var" data-invalid={problem ? true : undefined}>
                <input aria-label={t.templates.varKey} placeholder={t.templates.varKey} value={r.key} onChange={(e) => setRow(i, { key: e.target.value })} data-testid="run-var-key" />
                <span aria-hidden="true">=</span>
                <input aria-label={t.templates.varValue(r.key)} placeholder={t.templates.varValuePlaceholder} value={r.value} onChange={(e) => setRow(i, { value: e.target.value })} data-testid="run-var-value" />
                <button type="button" className="small" onClick={() => setEdited(rows.filter((_, n) => n !== i))} aria-label={t.templates.varRemove(r.key)} data-testid="run-var-remove">
                  ×
                </button>
                {problem ? (
                  <span className="field-error" data-testid="run-var-error">
                    {problem.kind === 'duplicate' ? t.templates.varDuplicate(r.key.trim()) : t.templates.varNoKey}
                  </span>
                ) : null}
              </div>
            );
          })}
          <button type="button" className="small" onClick={() => setEdited([...rows, { key: '', value: '' }])} data-testid="run-var-add">
            {t.templates.varAdd}
          </button>
          <p className="field-hint">{t.templates.varHint}</p>
        </fieldset>
        <div className="form inline">
          <label className="field">
            <span className="field-label">{t.templates.priority}</span>
            <select value={priority} onChange={(e) => setPriority(e.target.value)} data-testid="run-priority">
              <option value="">{t.templates.priorityDefault}</option>
              {PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {t.templates.priorityOption(p)}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span className="field-label">{t.templates.queue}</span>
            <select value={queue} onChange={(e) => setQueue(e.target.value)} data-testid="run-queue">
              <option value="">{t.templates.queueDefault}</option>
              {queues.map((q) => (
                <option key={q} value={q}>
                  {q}
                </option>
              ))}
            </select>
          </label>
          <label className="check">
            <input type="checkbox" checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} data-testid="run-dry" />
            {t.templates.dryRun}
          </label>
          <button type="submit" className="primary" disabled={busy || problems.length > 0} data-testid="run-submit">
            {dryRun ? t.templates.runDry : t.templates.run}
          </button>
        </div>
        {dryRun ? <p className="field-hint">{t.templates.dryRunHint}</p> : null}
      </form>
      <ErrorNotice title={t.templates.runFailed} error={error} testId="run-error" />
      {queued ? (
        <div className="notice ok" role="status" data-testid="run-queued" data-run-id={queued.run_id}>
          <p>
            {queued.dry_run ? t.templates.queuedDry : t.templates.queued} <code className="code" data-testid="run-id">{queued.run_id}</code>
          </p>
          <p className="detail">
            {t.templates.queuedDetail(queued.queue, queued.priority, queued.status)}
            {queued.duplicate ? ` ${t.templates.queuedDuplicate}` : ''} <a href="#/runs">{t.templates.openRuns}</a>
          </p>
        </div>
      ) : null}
    </section>
  );
}
