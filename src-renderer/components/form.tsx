import type { ErrorBody } from '@shared/contract/errors';
import type { ReactNode } from 'react';
import { useMessages } from '../i18n/use-messages';
import type { FieldIssues } from '../stores/outcome';

/** The text of a form control by name (uncontrolled inputs: passwords and secret values never enter React state). */
export function formText(form: HTMLFormElement, name: string): string {
  const el = form.elements.namedItem(name);
  return el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement ? el.value : '';
}

/** Empties the named fields (a password once sent). */
export function clearFields(form: HTMLFormElement, ...names: string[]): void {
  for (const name of names) {
    const el = form.elements.namedItem(name);
    if (el instanceof HTMLInputElement) el.value = '';
  }
}

/** A labelled control with its hint and the core's problems for that field. */
export function Field({ label, name, issues, hint, children }: { label: string; name: string; issues?: FieldIssues; hint?: string; children: ReactNode }) {
  const problems = issues?.[name] ?? [];
  return (
    <label className="field" data-invalid={problems.length > 0 || undefined}>
      <span className="field-label">{label}</span>
      {children}
      {hint ? <span className="field-hint">{hint}</span> : null}
      {problems.map((p, i) => (
        <span key={i} className="field-error" data-testid={`field-error-${name}`}>
          {p}
        </span>
      ))}
    </label>
  );
}

/** A refusal as the core worded it (its message names every field problem), under a heading in the reader's language. */
export function ErrorNotice({ title, error, testId, children }: { title: string; error?: ErrorBody; testId?: string; children?: ReactNode }) {
  if (!error) return null;
  return (
    <div className="notice error" role="alert" data-testid={testId} data-code={error.code}>
      <p className="notice-title">{title}</p>
      <p data-testid={testId ? `${testId}-message` : undefined}>{error.message}</p>
      {children}
    </div>
  );
}

/** Whether the new password and its confirmation match (checked before anything is sent). */
export function passwordsMatch(form: HTMLFormElement, name: string): boolean {
  return formText(form, name) === formText(form, `${name}_confirm`);
}

/**
 * A new password typed twice (`<name>` and `<name>_confirm`), with the password rules as a hint
 * and a mismatch said under the fields. Test ids: `<testId>` and `<testId>-confirm`.
 */
export function NewPasswordFields(props: { name: string; labels?: [string, string]; issues?: FieldIssues; mismatch: boolean; testId: string; mismatchTestId?: string }) {
  const t = useMessages();
  const { name, testId } = props;
  const [label, confirmLabel] = props.labels ?? [t.password.next, t.password.confirm];
  return (
    <>
      <Field label={label} name={name} issues={props.issues} hint={t.auth.passwordHint}>
        <input name={name} type="password" autoComplete="new-password" required data-testid={testId} />
      </Field>
      <Field label={confirmLabel} name={`${name}_confirm`}>
        <input name={`${name}_confirm`} type="password" autoComplete="new-password" required data-testid={`${testId}-confirm`} />
      </Field>
      {props.mismatch ? (
        <p className="field-error" role="alert" data-testid={props.mismatchTestId}>
          {t.auth.passwordMismatch}
        </p>
      ) : null}
    </>
  );
}
