import type { ErrorBody } from '@shared/contract/errors';
import type { ReactNode } from 'react';
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
