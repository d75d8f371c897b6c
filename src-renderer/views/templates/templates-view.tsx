import { useEffect, useState } from 'react';
import { formatTime } from '../../components/format';
import { QueryMessage } from '../../components/query-message';
import { Table } from '../../components/table';
import type { Messages } from '../../i18n';
import { useMessages, type Said } from '../../i18n/use-messages';
import { can } from '../../stores/auth-store';
import { useAuthStore, useLocaleStore, useTemplatesStore } from '../../stores/app-stores';
import { TemplateDropPanel } from './template-drop';
import { TemplateWorkspace } from './template-workspace';

/** A notice kept as words to say, so a change of language re-words it. */
export type TemplateNotice = { say: Said; tone: 'ok' | 'warn' };

/** Templates: the list, and the one opened (or being written) in the editor with validate, save, delete and run. */
export function TemplatesView() {
  const t = useMessages();
  const me = useAuthStore((s) => s.me);
  const load = useTemplatesStore((s) => s.load);
  const opened = useTemplatesStore((s) => s.opened);
  const open = useTemplatesStore((s) => s.open);
  const close = useTemplatesStore((s) => s.close);
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<TemplateNotice>();

  useEffect(() => {
    void load();
  }, [load]);

  const openTemplate = (name: string) => {
    setCreating(false);
    setNotice(undefined);
    void open(name);
  };
  const closeEditor = () => {
    setCreating(false);
    close();
  };

  return (
    <>
      <h2>{t.templates.title}</h2>
      <TemplatesList
        current={creating ? undefined : opened?.name}
        onOpen={openTemplate}
        onNew={
          can(me, 'manage_templates')
            ? () => {
                close();
                setNotice(undefined);
                setCreating(true);
              }
            : undefined
        }
      />
      <TemplateDropPanel />
      {notice ? (
        <p className={`notice ${notice.tone}`} role="status" data-testid="templates-notice">
          {notice.say(t)}
        </p>
      ) : null}
      {creating || opened ? <TemplateWorkspace key={creating ? '(new)' : opened!.name} creating={creating} onNotice={setNotice} onCreated={() => setCreating(false)} onClose={closeEditor} /> : null}
    </>
  );
}

function TemplatesList({ current, onOpen, onNew }: { current?: string; onOpen: (name: string) => void; onNew?: () => void }) {
  const t = useMessages();
  const locale = useLocaleStore((s) => s.locale);
  const list = useTemplatesStore((s) => s.list);
  const load = useTemplatesStore((s) => s.load);
  return (
    // `section-templates`: the id every list view's panel has (the shell's e2e test finds it so).
    <section className="panel" data-testid="section-templates" data-state={list.status}>
      <h3>
        {t.templates.listTitle}
        {list.status === 'ready' ? <span className="count"> {t.state.count(list.items.length)}</span> : null}
      </h3>
      {onNew ? (
        <p>
          <button type="button" className="primary" onClick={onNew} data-testid="template-new">
            {t.templates.newTemplate}
          </button>
        </p>
      ) : null}
      {list.status !== 'ready' ? (
        <QueryMessage status={list.status} error={list.error} binding="GET /api/templates" onReload={() => void load()} />
      ) : list.items.length === 0 ? (
        <p className="notice" data-testid="state-empty">
          {t.templates.empty}
        </p>
      ) : (
        <Table testId="templates-table" columns={[t.templates.name, t.templates.titleColumn, t.templates.source, t.templates.steps, t.templates.validity, t.templates.updated, '']}>
          {list.items.map((i) => (
            <tr key={i.name} data-testid="template-row" data-name={i.name} aria-current={i.name === current ? 'true' : undefined}>
              <td className="nowrap">
                <span className="mono">{i.name}</span>
              </td>
              <td>
                {i.title ?? t.values.none}
                {i.description ? <span className="reason">{i.description}</span> : null}
              </td>
              <td className="nowrap">
                {sourceLabel(t, i.source)}
                {i.shadows_file ? <span className="reason">{t.templates.shadowsFile}</span> : null}
              </td>
              <td className="num">{i.steps}</td>
              <td>
                <span className={i.valid ? 'pill ok' : 'pill bad'} data-testid="template-validity">
                  {i.valid ? t.templates.valid : t.templates.invalid(i.error_count)}
                </span>
              </td>
              <td className="nowrap">
                {i.updated_at ? formatTime(i.updated_at, locale) : t.values.none}
                {i.updated_by ? <span className="reason">{i.updated_by}</span> : null}
              </td>
              <td className="actions">
                <button type="button" className="small" onClick={() => onOpen(i.name)} data-testid="template-open">
                  {t.templates.open}
                </button>
              </td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}

export const sourceLabel = (t: Messages, source: 'database' | 'file') => (source === 'database' ? t.templates.sourceDatabase : t.templates.sourceFile);
