import type { Input, Output } from '@shared/contract';
import type { AgentEvent } from '@shared/contract/events';
import type { ErrorBody, Issue } from '@shared/contract/errors';
import { createStore } from 'zustand/vanilla';
import { coerceToDeclared, declaredType, type DeclaredType } from '@shared/dsl/variable-types';
import type { AgentClient } from '@shared/client/agent-client';
import { outcomeOf, type Outcome } from './outcome';
import { coalesce } from './coalesce';
import { resultOf, type QueryStatus } from './query';

export type TemplateSummary = Output<'templates.list'>['items'][number];
export type TemplateDetail = Output<'templates.get'>;
export type ValidationResult = Output<'templates.validate'>;
export type TemplateSaved = Output<'templates.save'>;
export type TemplateDeleted = Output<'templates.delete'>;
export type Enqueued = Output<'runs.enqueue'>;

/** The template open in the editor, as the core last answered `templates.get`. */
export interface OpenedTemplate {
  name: string;
  status: QueryStatus;
  data?: TemplateDetail;
  error?: ErrorBody;
  /** Someone else saved (a newer version) or deleted it since it was opened here. */
  elsewhere?: 'changed' | 'deleted';
}

export interface TemplatesState {
  list: { status: QueryStatus; items: TemplateSummary[]; error?: ErrorBody };
  /** Queue names for the run form (`queues.list`); empty when it cannot be read. */
  queues: string[];
  opened?: OpenedTemplate;
  load(): Promise<void>;
  open(name: string): Promise<void>;
  close(): void;
  validate(yaml: string): Promise<Outcome<ValidationResult>>;
  save(yaml: string, name?: string): Promise<Outcome<TemplateSaved>>;
  remove(name: string): Promise<Outcome<TemplateDeleted>>;
  enqueue(input: Input<'runs.enqueue'>): Promise<Outcome<Enqueued>>;
  eventReceived(event: AgentEvent): void;
  reset(): void;
}

/**
 * The problems of a template with their place: the answer of `templates.validate`, or the
 * `details.issues` of a refused save (each with path, line and column where the core knows them).
 */
export function templateIssues(error: ErrorBody | undefined): Issue[] {
  const issues = (error?.details as { issues?: unknown } | undefined)?.issues;
  if (!Array.isArray(issues)) return [];
  return (issues as Partial<Issue>[])
    .filter((i): i is Issue => typeof i?.message === 'string' && typeof i.path === 'string')
    .map((i) => ({ path: i.path, message: i.message, ...(typeof i.line === 'number' ? { line: i.line } : {}), ...(typeof i.column === 'number' ? { column: i.column } : {}) }));
}

/** One `key = value` row of the run form; `type` is what the template declares for the key (its default's type). */
export interface VariableRow {
  key: string;
  value: string;
  type?: DeclaredType;
}

/** Why the run form's variables cannot be sent, by row (0-based). */
export type VariableProblem = { row: number; kind: 'no-key' | 'duplicate' };

/**
 * A value as typed for a variable the template gives no type (no default): JSON (numbers, true/false, lists, objects, "quoted") is read as such, anything
 * else is text; so `3` is the number 3 and `山田 太郎` the text it reads.
 */
export function variableValue(text: string): unknown {
  const t = text.trim();
  if (/^(-?\d|true$|false$|null$|[[{"])/.test(t)) {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      // not JSON after all: the text it is
    }
  }
  return text;
}

/**
 * The variables a run is sent with. A row with a key and no value is left out, so the template's
 * own default applies; a value without a key, or a key given twice, is a problem to show.
 */
export function variablesOf(rows: readonly VariableRow[]): { variables: Record<string, unknown>; problems: VariableProblem[] } {
  const variables: Record<string, unknown> = {};
  const problems: VariableProblem[] = [];
  const seen = new Set<string>();
  rows.forEach((r, row) => {
    const key = r.key.trim();
    if (!key) {
      if (r.value.trim()) problems.push({ row, kind: 'no-key' });
      return;
    }
    if (seen.has(key)) return void problems.push({ row, kind: 'duplicate' });
    seen.add(key);
    if (r.value.trim() === '') return;
    // A value keeps the type its template declares ("1" stays the text "1" for a text variable);
    // the core converts or refuses by the same rule (typedVariables), so the form sends what runs.
    const declared = r.type ? coerceToDeclared(r.type, r.type === 'text' ? r.value : variableValue(r.value)) : undefined;
    variables[key] = declared?.ok ? declared.value : variableValue(r.value);
  });
  return { variables, problems };
}

/**
 * The `variables:` a template declares, as rows to fill in (its defaults as the values); none if it
 * does not parse. The YAML parser is loaded on first use: only the run form needs it.
 */
export async function declaredVariables(yaml: string): Promise<VariableRow[]> {
  const { parse } = await import('yaml');
  let doc: unknown;
  try {
    doc = parse(yaml, { maxAliasCount: 10 });
  } catch {
    return [];
  }
  const vars = (doc as { variables?: unknown } | null)?.variables;
  if (!vars || typeof vars !== 'object' || Array.isArray(vars)) return [];
  return Object.entries(vars as Record<string, unknown>).map(([key, v]) => ({
    key,
    value: v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v),
    type: declaredType(v),
  }));
}

/** 1-based line of each issue that has one, for the editor's gutter. */
export function issueLines(issues: readonly Issue[]): Set<number> {
  return new Set(issues.flatMap((i) => (i.line ? [i.line] : [])));
}

/**
 * Templates (`templates.*`): the list, the one open in the editor, and the actions on it: validate
 * (execute_templates), save and delete (manage_templates), run (`runs.enqueue`, create_runs).
 * Every change is followed by a fresh `templates.list`; another user's change arrives as
 * `template.changed` and is read again too; if it is the open template, the editor is told (what
 * is being typed stays in the view until saved, and is not replaced behind the user's back).
 */
export function createTemplatesStore(client: AgentClient) {
  return createStore<TemplatesState>()((set, get) => {
    const initial = () => ({
      list: { status: (client.has('templates.list') ? 'loading' : 'unavailable') as QueryStatus, items: [] as TemplateSummary[], error: undefined },
      queues: [] as string[],
      opened: undefined,
    });

    const loadList = async () => {
      const r = resultOf(await client.call('templates.list', {}));
      set({ list: r.status === 'ready' ? { status: 'ready', items: r.data!.items } : { status: r.status, items: [], error: r.error } });
    };
    const loadQueues = async () => {
      const r = await client.call('queues.list', {});
      set({ queues: r.ok ? r.data.items.map((q) => q.name) : [] });
    };
    const refreshList = coalesce(loadList);

    /** Whether the open template still is what the core holds (`template.changed` named it). */
    const check = async () => {
      const before = get().opened;
      if (before?.status !== 'ready' || !before.data) return;
      const r = await client.call('templates.get', { name: before.name });
      const now = get().opened;
      // Only a verdict about the very version on screen counts (a save here replaces it meanwhile).
      if (now?.name !== before.name || now.data?.hash !== before.data.hash) return;
      const elsewhere = r.ok ? (r.data.hash !== before.data.hash ? 'changed' : undefined) : r.error.code === 'NOT_FOUND' ? 'deleted' : undefined;
      if (elsewhere !== now.elsewhere) set({ opened: { ...now, elsewhere } });
    };
    const checkOpened = coalesce(check);

    const open = async (name: string) => {
      // Reading the open template again (after a save) keeps it on screen meanwhile.
      if (get().opened?.name !== name) set({ opened: { name, status: 'loading' } });
      const r = resultOf(await client.call('templates.get', { name }));
      // Another template was opened meanwhile: this answer is not for the editor any more.
      if (get().opened?.name !== name) return;
      set({ opened: { name, status: r.status, data: r.data, error: r.error } });
    };

    return {
      ...initial(),
      async load() {
        await Promise.all([loadList(), loadQueues()]);
      },
      open,
      close: () => set({ opened: undefined }),
      async validate(yaml) {
        return outcomeOf(await client.call('templates.validate', { yaml }));
      },
      async save(yaml, name) {
        const r = outcomeOf(await client.call('templates.save', { yaml, ...(name ? { name } : {}) }));
        if (r.ok) await Promise.all([loadList(), open(r.data.name)]);
        return r;
      },
      async remove(name) {
        const r = outcomeOf(await client.call('templates.delete', { name }));
        // A deleted app template can bring back the file of the same name: read both again.
        await loadList();
        if (r.ok) {
          if (get().list.items.some((i) => i.name === name)) await open(name);
          else set({ opened: undefined });
        }
        return r;
      },
      async enqueue(input) {
        return outcomeOf(await client.call('runs.enqueue', input));
      },
      eventReceived(event) {
        if (event.type !== 'template.changed') return;
        refreshList();
        if (event.data.name === get().opened?.name) checkOpened();
      },
      reset: () => set(initial()),
    };
  });
}
