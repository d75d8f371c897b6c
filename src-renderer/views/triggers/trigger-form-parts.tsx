import type { ReactNode } from 'react';
import { ErrorNotice, Field } from '../../components/form';
import { useMessages } from '../../i18n/use-messages';
import { useTriggerDetailStore } from '../../stores/app-stores';
import type { FieldIssues } from '../../stores/outcome';

/** A text area's lines, trimmed, without the empty ones (patterns, addresses, dot paths). */
export function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

/** The core names an item of a list (`allowed_ips[2]`, `patterns.0`): its problem is shown at the list's field. */
export function foldIssues(issues: FieldIssues): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [path, messages] of Object.entries(issues)) {
    const field = path.split(/[.[]/)[0] || path;
    (out[field] ??= []).push(...(field === path ? messages : messages.map((m) => `${path.slice(field.length)}: ${m}`)));
  }
  return out;
}

/** A trigger form's frame: its title, the core's refusal, the fields, then save and cancel. */
export function TriggerFormFrame(props: { testId: string; saveTestId?: string; title: string; failed: string; canSave: boolean; onSubmit: (form: HTMLFormElement) => void; children: ReactNode }) {
  const t = useMessages().triggers;
  const form = useTriggerDetailStore((s) => s.form);
  const close = useTriggerDetailStore((s) => s.closeForm);
  return (
    <form
      className="panel form"
      data-testid={props.testId}
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit(e.currentTarget);
      }}
    >
      <h3>{props.title}</h3>
      <ErrorNotice title={props.failed} error={form?.error} testId={`${props.testId}-error`} />
      {props.children}
      <div className="actions">
        <button type="submit" disabled={form?.saving || !props.canSave} data-testid={props.saveTestId ?? `${props.testId}-save`}>
          {t.save}
        </button>
        <button type="button" onClick={close}>
          {t.cancel}
        </button>
      </div>
    </form>
  );
}

/** Every trigger's first fields: its id (new ones only; an id is never changed) and its name. Test ids `<kind>-id`, `<kind>-name`. */
export function IdAndName({ kind, editing, name, issues }: { kind: string; editing?: string; name?: string; issues: FieldIssues }) {
  const f = useMessages().triggers.fields;
  return (
    <>
      {editing ? null : (
        <Field label={f.id!} name="id" issues={issues}>
          <input name="id" required data-testid={`${kind}-id`} />
        </Field>
      )}
      <Field label={f.name!} name="name" issues={issues}>
        <input name="name" required defaultValue={name} data-testid={`${kind}-name`} />
      </Field>
    </>
  );
}
