import type { ErrorBody, Issue } from '@shared/contract/errors';
import { normalizeTemplateName, slugOf } from '@shared/contract/templates';
import type { AgentClient } from '@shared/client/agent-client';
import { createStore } from 'zustand/vanilla';
import { templateIssues } from './templates-store';

/** A file as dropped or picked: its name and its bytes as text (File in the page, plain data in tests). */
export interface TemplateFile {
  name: string;
  size: number;
  text(): Promise<string>;
}

/** Why a dropped file was not saved (besides validation problems, which come with their lines). */
export type DropRefusal =
  | { kind: 'not_yaml'; extension: string }
  | { kind: 'too_large'; bytes: number }
  | { kind: 'not_text' }
  | { kind: 'invalid'; issues: Issue[] }
  | { kind: 'no_permission' }
  | { kind: 'save_failed'; error: ErrorBody };

export type ClashChoice = 'replace' | 'keep_both' | 'cancel';

/** One dropped file and what became of it. */
export type DropItem = { id: number; file: string } & (
  | { state: 'checking' }
  | { state: 'refused'; refusal: DropRefusal }
  /** A template of this name exists: replace it, keep both (a new name), or cancel. */
  | { state: 'clash'; name: string; yaml: string; freeName: string }
  | { state: 'saving'; name: string }
  | { state: 'saved'; name: string; replaced: boolean; warnings: Issue[] }
  | { state: 'cancelled'; name: string }
);

export const MAX_TEMPLATE_BYTES = 1_000_000;

/** The first name not taken: `invoice_2`, `invoice_3`, … */
export function freeTemplateName(name: string, taken: ReadonlySet<string>): string {
  for (let n = 2; ; n++) {
    const candidate = `${name.slice(0, 95)}_${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/**
 * What a dropped file is before anything is saved: refused with a reason (not .yaml, too large,
 * not text), refused with the shared DSL validator's problems at their lines, or a template and
 * the name it will be saved under (the file's name, else its own `name:`, as the core would).
 */
export async function checkTemplateFile(file: TemplateFile): Promise<{ ok: false; refusal: DropRefusal } | { ok: true; name: string; yaml: string; warnings: Issue[] }> {
  const ext = /\.[^.]*$/.exec(file.name)?.[0] ?? '';
  if (!/^\.ya?ml$/i.test(ext)) return { ok: false, refusal: { kind: 'not_yaml', extension: ext } };
  if (file.size > MAX_TEMPLATE_BYTES) return { ok: false, refusal: { kind: 'too_large', bytes: file.size } };
  const yaml = await file.text();
  // A binary file renamed .yaml: NUL bytes or undecodable bytes (U+FFFD from the UTF-8 decoder).
  if (yaml.includes('\u0000') || yaml.includes('\uFFFD')) return { ok: false, refusal: { kind: 'not_text' } };
  // The validator (and the YAML parser it uses) is loaded when the first file is dropped.
  const { validateTemplate } = await import('@shared/dsl/validate');
  const report = validateTemplate(yaml);
  if (!report.valid || !report.template) return { ok: false, refusal: { kind: 'invalid', issues: report.errors } };
  return { ok: true, name: normalizeTemplateName(file.name) ?? slugOf(report.template.name), yaml, warnings: report.warnings };
}

export interface TemplateDropState {
  items: DropItem[];
  /** Files dropped on the window or picked: each is checked, then saved or held for a choice. */
  add(files: readonly TemplateFile[], o: { canSave: boolean }): Promise<void>;
  /** The answer to a name clash. */
  choose(id: number, choice: ClashChoice): Promise<void>;
  dismiss(): void;
}

/**
 * Templates added by drag-and-drop or the file picker (issue 17): checked in the page with the
 * shared validator (no round trip for a file that cannot be a template), then saved through
 * `templates.save`, which validates again and decides. `onSaved` reads the template list again.
 */
export function createTemplateDropStore(client: AgentClient, onSaved: () => Promise<void> | void) {
  let nextId = 1;
  return createStore<TemplateDropState>()((set, get) => {
    const update = (id: number, item: Partial<DropItem> & Pick<DropItem, 'state'>) =>
      set({ items: get().items.map((i) => (i.id === id ? ({ id, file: i.file, ...item } as DropItem) : i)) });
    const taken = new Set<string>();

    const save = async (id: number, name: string, yaml: string, replaced: boolean) => {
      update(id, { state: 'saving', name });
      const r = await client.call('templates.save', { name, yaml });
      if (r.ok) {
        taken.add(r.data.name);
        update(id, { state: 'saved', name: r.data.name, replaced, warnings: r.data.warnings });
      } else {
        const issues = templateIssues(r.error);
        update(id, { state: 'refused', refusal: issues.length ? { kind: 'invalid', issues } : { kind: 'save_failed', error: r.error } });
      }
      return r.ok;
    };

    return {
      items: [],
      async add(files, o) {
        const batch = files.map((f) => ({ id: nextId++, file: f.name, state: 'checking' as const }));
        set({ items: [...batch, ...get().items] });
        // The names taken now (the list on screen may be older, or not read yet on another view).
        const listed = await client.call('templates.list', {});
        taken.clear();
        if (listed.ok) for (const t of listed.data.items) taken.add(t.name);
        let saved = false;
        // One after another: two files of the same name in one drop clash with each other too.
        for (const [k, f] of files.entries()) {
          const { id } = batch[k]!;
          const checked = await checkTemplateFile(f).catch((): { ok: false; refusal: DropRefusal } => ({ ok: false, refusal: { kind: 'not_text' } }));
          if (!checked.ok) update(id, { state: 'refused', refusal: checked.refusal });
          else if (!o.canSave) update(id, { state: 'refused', refusal: { kind: 'no_permission' } });
          else if (taken.has(checked.name)) update(id, { state: 'clash', name: checked.name, yaml: checked.yaml, freeName: freeTemplateName(checked.name, taken) });
          else {
            taken.add(checked.name);
            saved = (await save(id, checked.name, checked.yaml, false)) || saved;
          }
        }
        if (saved) await onSaved();
      },
      async choose(id, choice) {
        const item = get().items.find((i) => i.id === id);
        if (item?.state !== 'clash') return;
        if (choice === 'cancel') return update(id, { state: 'cancelled', name: item.name });
        const name = choice === 'replace' ? item.name : freeTemplateName(item.name, taken);
        taken.add(name);
        if (await save(id, name, item.yaml, choice === 'replace')) await onSaved();
      },
      dismiss: () => set({ items: get().items.filter((i) => i.state === 'clash' || i.state === 'checking' || i.state === 'saving') }),
    };
  });
}
