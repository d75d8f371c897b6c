import { useEffect, useRef, useState } from 'react';
import type { Messages } from '../../i18n';
import { useMessages } from '../../i18n/use-messages';
import { can } from '../../stores/auth-store';
import { useAuthStore, useTemplateDropStore } from '../../stores/app-stores';
import type { DropItem, DropRefusal } from '../../stores/template-drop-store';

const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');

/**
 * Template files dropped anywhere on the window go to the Templates view and are added there
 * (in the Electron window and in a browser on `serve` alike). Other drags are left alone; a
 * dropped file never makes the page navigate to it.
 */
export function useWindowTemplateDrop(): boolean {
  const me = useAuthStore((s) => s.me);
  const add = useTemplateDropStore((s) => s.add);
  const [over, setOver] = useState(false);
  useEffect(() => {
    let depth = 0;
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth++;
      setOver(true);
    };
    const leave = () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) setOver(false);
    };
    const dragover = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setOver(false);
      const files = Array.from(e.dataTransfer?.files ?? []);
      if (!files.length) return;
      if (!window.location.hash.startsWith('#/templates')) window.location.hash = '#/templates';
      void add(files, { canSave: can(me, 'manage_templates') });
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragleave', leave);
    window.addEventListener('dragover', dragover);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('dragover', dragover);
      window.removeEventListener('drop', drop);
    };
  }, [add, me]);
  return over;
}

/** The overlay that says a drop will add templates. */
export function DropOverlay() {
  const t = useMessages();
  return (
    <div className="drop-overlay" data-testid="drop-overlay" aria-hidden="true">
      <p>{t.templateDrop.dropHere}</p>
    </div>
  );
}

/** The Templates view's panel: the file picker and what became of each dropped or picked file. */
export function TemplateDropPanel() {
  const t = useMessages();
  const me = useAuthStore((s) => s.me);
  const items = useTemplateDropStore((s) => s.items);
  const add = useTemplateDropStore((s) => s.add);
  const dismiss = useTemplateDropStore((s) => s.dismiss);
  const input = useRef<HTMLInputElement>(null);
  const finished = items.some((i) => i.state !== 'clash' && i.state !== 'checking' && i.state !== 'saving');
  return (
    <section className="panel" data-testid="template-drop" aria-label={t.templateDrop.title}>
      <h3>{t.templateDrop.title}</h3>
      <p className="muted">{t.templateDrop.hint}</p>
      <p className="toolbar">
        <button type="button" onClick={() => input.current?.click()} data-testid="template-drop-choose">
          {t.templateDrop.choose}
        </button>
        {finished ? (
          <button type="button" onClick={dismiss} data-testid="template-drop-dismiss">
            {t.templateDrop.dismiss}
          </button>
        ) : null}
        <input
          ref={input}
          type="file"
          multiple
          accept=".yaml,.yml"
          hidden
          data-testid="template-drop-input"
          onChange={(e) => {
            const files = Array.from(e.target.files ?? []);
            e.target.value = '';
            if (files.length) void add(files, { canSave: can(me, 'manage_templates') });
          }}
        />
      </p>
      {items.length ? (
        <ul className="drop-results" data-testid="template-drop-results">
          {items.map((item) => (
            <DropResult key={item.id} item={item} />
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function DropResult({ item }: { item: DropItem }) {
  const t = useMessages();
  const choose = useTemplateDropStore((s) => s.choose);
  const tone = item.state === 'saved' ? 'ok' : item.state === 'refused' ? 'bad' : item.state === 'clash' ? 'warn' : '';
  return (
    <li className={`drop-result ${tone}`} data-testid="template-drop-result" data-file={item.file} data-state={item.state}>
      <span className="mono">{item.file}</span>{' '}
      {item.state === 'checking' ? <span className="muted">{t.templateDrop.checking}</span> : null}
      {item.state === 'saving' ? <span className="muted">{t.templateDrop.saving(item.name)}</span> : null}
      {item.state === 'saved' ? <span data-testid="template-drop-saved">{t.templateDrop.saved(item.name, item.replaced)}</span> : null}
      {item.state === 'cancelled' ? <span>{t.templateDrop.cancelled(item.name)}</span> : null}
      {item.state === 'refused' ? <Refusal refusal={item.refusal} /> : null}
      {item.state === 'clash' ? (
        <div role="group" aria-label={t.templateDrop.clash(item.name)} data-testid="template-drop-clash">
          <p>{t.templateDrop.clash(item.name)}</p>
          <div className="toolbar">
            <button type="button" className="danger" onClick={() => void choose(item.id, 'replace')} data-testid="template-drop-replace">
              {t.templateDrop.replace}
            </button>
            <button type="button" className="primary" onClick={() => void choose(item.id, 'keep_both')} data-testid="template-drop-keep-both">
              {t.templateDrop.keepBoth(item.freeName)}
            </button>
            <button type="button" onClick={() => void choose(item.id, 'cancel')} data-testid="template-drop-cancel">
              {t.templateDrop.cancel}
            </button>
          </div>
        </div>
      ) : null}
    </li>
  );
}

function Refusal({ refusal }: { refusal: DropRefusal }) {
  const t = useMessages();
  if (refusal.kind !== 'invalid') {
    return (
      <span className="reason" data-testid="template-drop-reason" data-reason={refusal.kind}>
        {refusalText(t, refusal)}
      </span>
    );
  }
  return (
    <div data-testid="template-drop-reason" data-reason="invalid">
      <p>{t.templateDrop.invalid(refusal.issues.length)}</p>
      <ul className="issues">
        {refusal.issues.map((i, k) => (
          <li key={k} data-testid="template-drop-issue" data-line={i.line ?? ''}>
            <span className="mono">{t.templateDrop.at(i.line, i.column)}</span> <code className="code">{i.path}</code> {i.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

function refusalText(t: Messages, r: Exclude<DropRefusal, { kind: 'invalid' }>): string {
  switch (r.kind) {
    case 'not_yaml':
      return t.templateDrop.notYaml(r.extension);
    case 'too_large':
      return t.templateDrop.tooLarge(r.bytes);
    case 'not_text':
      return t.templateDrop.notText;
    case 'no_permission':
      return t.templateDrop.noPermission;
    case 'save_failed':
      return `${t.templateDrop.saveFailed} ${r.error.message}`;
  }
}
