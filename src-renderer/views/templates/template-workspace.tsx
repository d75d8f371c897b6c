import { useEffect, useMemo, useRef, useState } from 'react';
import type { ErrorBody, Issue } from '@shared/contract/errors';
import { CodeEditor, type CodeEditorHandle } from '../../components/code-editor';
import { ConfirmDialog } from '../../components/dialog';
import { ErrorNotice } from '../../components/form';
import { QueryMessage } from '../../components/query-message';
import { useMessages } from '../../i18n/use-messages';
import { can } from '../../stores/auth-store';
import { useAuthStore, useTemplatesStore } from '../../stores/app-stores';
import { riskTone } from '../../stores/approvals-store';
import { issueLines, templateIssues, type TemplateDetail } from '../../stores/templates-store';
import { RunForm } from './run-form';
import { sourceLabel, type TemplateNotice } from './templates-view';

/** What a new template starts from: valid as it is, so Validate and Save work at once. */
const NEW_TEMPLATE = `dsl_version: "1.1"
name: "New template"
description: ""
variables:
  message: "Hello"
steps:
  - log: { message: "{{message}}" }
`;

/** The editor's problem list: from Validate, from a refused save, or the saved version's own. */
interface Checked {
  errors: Issue[];
  warnings: Issue[];
  /** The steps the pre-run risk check looks at (a valid template only). */
  risk?: TemplateDetail['risk'];
  /** The check was of exactly this text (typing after it makes it stale). */
  yaml: string;
}

/** The opened template (or a new one): its YAML in the editor, its problems, and what the role may do with it. */
export function TemplateWorkspace({
  creating,
  onNotice,
  onCreated,
  onClose,
}: {
  creating: boolean;
  onNotice: (n: TemplateNotice | undefined) => void;
  /** A new template was saved (the store has opened it). */
  onCreated: () => void;
  onClose: () => void;
}) {
  const opened = useTemplatesStore((s) => s.opened);
  const load = useTemplatesStore((s) => s.load);
  const open = useTemplatesStore((s) => s.open);
  const top = useRef<HTMLDivElement>(null);
  // Opened from a long list, the editor may be below the fold: bring it into view (once per template).
  useEffect(() => {
    // (Newer Chromium returns a promise here, which must not become the effect's cleanup.)
    void top.current?.scrollIntoView({ block: 'nearest' });
  }, []);
  let body;
  if (creating) body = <TemplateEditor onNotice={onNotice} onCreated={onCreated} onClose={onClose} />;
  else if (!opened) body = null;
  else if (opened.status !== 'ready' || !opened.data) {
    body = (
      <section className="panel" data-testid="template-editor" data-state={opened.status}>
        <h3>{opened.name}</h3>
        <QueryMessage status={opened.status} error={opened.error} binding={`GET /api/templates/${opened.name}`} onReload={() => void Promise.all([load(), open(opened.name)])} />
      </section>
    );
  }
  // A new version (saved here or elsewhere and opened again) starts a fresh editor.
  else body = <TemplateEditor key={opened.data.hash} template={opened.data} onNotice={onNotice} onCreated={onCreated} onClose={onClose} />;
  return <div ref={top}>{body}</div>;
}

function TemplateEditor({
  template,
  onNotice,
  onCreated,
  onClose,
}: {
  template?: TemplateDetail;
  onNotice: (n: TemplateNotice | undefined) => void;
  onCreated: () => void;
  onClose: () => void;
}) {
  const t = useMessages();
  const me = useAuthStore((s) => s.me);
  const validate = useTemplatesStore((s) => s.validate);
  const save = useTemplatesStore((s) => s.save);
  const remove = useTemplatesStore((s) => s.remove);
  const open = useTemplatesStore((s) => s.open);
  const elsewhere = useTemplatesStore((s) => (template && s.opened?.name === template.name ? s.opened.elsewhere : undefined));
  const editor = useRef<CodeEditorHandle>(null);
  const saved = template?.yaml ?? '';
  const [draft, setDraft] = useState(template?.yaml ?? NEW_TEMPLATE);
  const [newName, setNewName] = useState('');
  const [checked, setChecked] = useState<Checked | undefined>(
    template && (template.errors.length || template.warnings.length || template.risk?.risks.length) ? { errors: template.errors, warnings: template.warnings, risk: template.risk, yaml: template.yaml } : undefined,
  );
  const [busy, setBusy] = useState<'validate' | 'save' | 'delete'>();
  const [error, setError] = useState<{ title: 'validate' | 'save' | 'delete'; error: ErrorBody }>();
  const [confirmDelete, setConfirmDelete] = useState(false);

  const mayValidate = can(me, 'execute_templates');
  const mayManage = can(me, 'manage_templates');
  const dirty = template ? draft !== saved : true;
  const stale = checked !== undefined && checked.yaml !== draft;
  const problemLines = useMemo(() => (checked && !stale ? issueLines(checked.errors) : new Set<number>()), [checked, stale]);

  const runValidate = async () => {
    setBusy('validate');
    setError(undefined);
    const r = await validate(draft);
    setBusy(undefined);
    if (r.ok) setChecked({ errors: r.data.errors, warnings: r.data.warnings, risk: r.data.risk, yaml: draft });
    else setError({ title: 'validate', error: r.error });
  };

  const runSave = async () => {
    setBusy('save');
    setError(undefined);
    onNotice(undefined);
    const yaml = draft;
    const r = await save(yaml, template?.name ?? (newName.trim() || undefined));
    setBusy(undefined);
    if (!r.ok) {
      // A template with problems is refused with all of them: they go to the list, with their lines.
      const issues = templateIssues(r.error);
      if (r.error.code === 'VALIDATION_ERROR' && issues.some((i) => i.line !== undefined)) setChecked({ errors: issues, warnings: [], yaml });
      setError({ title: 'save', error: r.error });
      return;
    }
    const { name, created, warnings } = r.data;
    onNotice({ say: (m) => (created ? m.templates.created(name) : m.templates.saved(name)) + (warnings.length ? ` ${m.templates.savedWarnings(warnings.length)}` : ''), tone: warnings.length ? 'warn' : 'ok' });
    if (!template) onCreated();
  };

  const runDelete = async () => {
    if (!template) return;
    setBusy('delete');
    const r = await remove(template.name);
    setBusy(undefined);
    setConfirmDelete(false);
    if (!r.ok) return setError({ title: 'delete', error: r.error });
    const { name } = r.data;
    onNotice({ say: (m) => m.templates.deleted(name), tone: 'ok' });
  };

  const errorTitle = error && { validate: t.templates.validateFailed, save: t.templates.saveFailed, delete: t.templates.deleteFailed }[error.title];

  return (
    <>
      <section className="panel wide" data-testid="template-editor" data-state="ready" data-name={template?.name ?? ''} data-dirty={dirty}>
        <h3>
          {template ? (
            <>
              <span className="mono">{template.name}</span>
              {template.title ? <span className="count"> {template.title}</span> : null}
            </>
          ) : (
            t.templates.newTitle
          )}
        </h3>
        {template ? (
          <p className="detail-text" data-testid="template-source">
            {sourceLabel(t, template.source)}
            {template.path ? (
              <>
                {' · '}
                <span className="path">{template.path}</span>
              </>
            ) : null}
            {template.shadows_file ? ` · ${t.templates.shadowsFile}` : null}
          </p>
        ) : (
          <label className="field">
            <span className="field-label">{t.templates.nameOptional}</span>
            <input value={newName} onChange={(e) => setNewName(e.target.value)} data-testid="template-name" />
            <span className="field-hint">{t.templates.nameHint}</span>
          </label>
        )}
        {elsewhere && template ? (
          <div className="notice warn" role="status" data-testid="template-elsewhere" data-kind={elsewhere}>
            <p>{elsewhere === 'changed' ? t.templates.changedElsewhere : t.templates.deletedElsewhere}</p>
            {elsewhere === 'changed' ? (
              <button type="button" className="small" onClick={() => void open(template.name)} data-testid="template-reload">
                {t.templates.loadSaved}
              </button>
            ) : null}
          </div>
        ) : null}
        {!mayManage ? <p className="notice">{mayValidate ? t.templates.cannotSave : t.templates.readOnly}</p> : null}
        <CodeEditor
          ref={editor}
          value={draft}
          onChange={setDraft}
          readOnly={!mayValidate && !mayManage}
          problemLines={problemLines}
          label={t.templates.editorLabel}
          positionLabel={(p) => t.templates.position(p.line, p.column)}
          testId="template-yaml"
        />
        <div className="toolbar">
          {mayValidate ? (
            <button type="button" disabled={busy !== undefined} onClick={() => void runValidate()} data-testid="template-validate">
              {t.templates.validate}
            </button>
          ) : null}
          {mayManage ? (
            <button type="button" className="primary" disabled={busy !== undefined || (template !== undefined && !dirty)} onClick={() => void runSave()} data-testid="template-save">
              {t.templates.save}
            </button>
          ) : null}
          {mayManage && template ? (
            <button type="button" disabled={busy !== undefined || !dirty} onClick={() => setDraft(saved)} data-testid="template-revert">
              {t.templates.revert}
            </button>
          ) : null}
          {mayManage && template ? (
            <button type="button" className="danger" disabled={busy !== undefined} onClick={() => setConfirmDelete(true)} data-testid="template-delete">
              {t.templates.delete}
            </button>
          ) : null}
          <button type="button" onClick={onClose} data-testid="template-close">
            {t.common.close}
          </button>
          {dirty && template ? (
            <span className="muted" data-testid="template-dirty">
              {t.templates.unsaved}
            </span>
          ) : null}
        </div>
        <ErrorNotice title={errorTitle ?? ''} error={error?.error} testId="template-action-error" />
        {checked ? <Problems checked={checked} stale={stale} onGo={(i) => editor.current?.goTo({ line: i.line ?? 1, column: i.column ?? 1 })} /> : null}
      </section>
      {template && can(me, 'create_runs') ? <RunForm template={template} dirty={dirty} /> : null}
      {confirmDelete && template ? (
        <ConfirmDialog
          title={t.templates.deleteTitle}
          message={template.source === 'file' ? t.templates.deleteFileConfirm(template.name, template.path ?? '') : t.templates.deleteConfirm(template.name)}
          confirmLabel={t.templates.delete}
          cancelLabel={t.common.cancel}
          busy={busy === 'delete'}
          onConfirm={() => void runDelete()}
          onCancel={() => setConfirmDelete(false)}
        />
      ) : null}
    </>
  );
}

/** Every problem with its place; choosing one puts the cursor there. */
function Problems({ checked, stale, onGo }: { checked: Checked; stale: boolean; onGo: (i: Issue) => void }) {
  const t = useMessages();
  const { errors, warnings } = checked;
  const riskName = (level: string) => t.approvals.riskNames[level] ?? level;
  const item = (i: Issue, kind: 'problem' | 'warning', n: number) => (
    <li key={`${kind}-${n}`} data-testid={`template-${kind}`} data-line={i.line ?? ''} data-column={i.column ?? ''}>
      <button type="button" className="link problem-link" disabled={i.line === undefined} onClick={() => onGo(i)}>
        <span className="problem-place">{i.line !== undefined ? t.templates.at(i.line, i.column ?? 1) : t.templates.noPlace}</span>{' '}
        {i.path ? <code className="code">{i.path}</code> : null} <span>{i.message}</span>
      </button>
    </li>
  );
  return (
    <div className="template-problems" data-testid="template-problems" data-valid={errors.length === 0} data-stale={stale}>
      {errors.length === 0 ? (
        <p className="notice ok" data-testid="template-valid">
          {t.templates.noProblems}
        </p>
      ) : (
        <p className="notice error" data-testid="template-error-count">
          {t.templates.problems(errors.length)}
        </p>
      )}
      {stale ? <p className="muted">{t.templates.stale}</p> : null}
      {errors.length ? <ul className="problems">{errors.map((i, n) => item(i, 'problem', n))}</ul> : null}
      {warnings.length ? (
        <>
          <p className="notice warn-text">{t.templates.warnings(warnings.length)}</p>
          <ul className="problems">{warnings.map((i, n) => item(i, 'warning', n))}</ul>
        </>
      ) : null}
      {checked.risk?.risks.length ? (
        <div className="template-risk" data-testid="template-risk" data-level={checked.risk.level ?? ''}>
          <p className="notice">
            <span className={`risk risk-${riskTone(checked.risk.level ?? 'low')}`}>{t.approvals.risk(riskName(checked.risk.level ?? 'low'))}</span> {t.templates.riskIntro}
          </p>
          <ul className="problems">
            {checked.risk.risks.map((r, n) => (
              <li key={n} data-testid="template-risk-step">
                <code className="code">{r.where}</code> {r.action} ({riskName(r.level)}): {r.phrase ? t.templates.riskPhrases[r.phrase.key](r.phrase.args) : r.reason}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
