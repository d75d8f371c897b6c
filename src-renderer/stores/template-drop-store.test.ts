import { describe, expect, it } from 'vitest';
import { fail, fakeClient, ok } from '../testing/fake-client';
import { checkTemplateFile, createTemplateDropStore, freeTemplateName, type TemplateFile } from './template-drop-store';

const file = (name: string, text: string): TemplateFile => ({ name, size: new TextEncoder().encode(text).length, text: async () => text });

const GOOD = (title: string) => `dsl_version: "1.1"
name: "${title}"
steps:
  - log: { message: "こんにちは" }
`;
// The action name is misspelt on line 4.
const BAD = `dsl_version: "1.1"
name: broken
steps:
  - pdf_mrege: { files: [a.pdf], output: out.pdf }
`;

function setup(existing: string[] = [], saveAnswer?: (input: Record<string, unknown>) => ReturnType<typeof ok>) {
  const saved: string[] = [];
  let listed = 0;
  const fake = fakeClient({
    'templates.list': () => ok({ items: [...existing, ...saved].map((name) => ({ name })) }),
    'templates.save': (input) => {
      if (saveAnswer) return saveAnswer(input);
      saved.push(input.name as string);
      return ok({ name: input.name, hash: 'h', created: !existing.includes(input.name as string), warnings: [] });
    },
  });
  const store = createTemplateDropStore(fake.client, () => void listed++);
  return { store, fake, saved, listed: () => listed };
}

describe('checking a dropped file', () => {
  it('refuses what is not a template, saying why', async () => {
    expect(await checkTemplateFile(file('report.pdf', '%PDF-1.7'))).toEqual({ ok: false, refusal: { kind: 'not_yaml', extension: '.pdf' } });
    expect(await checkTemplateFile(file('README', 'hello'))).toEqual({ ok: false, refusal: { kind: 'not_yaml', extension: '' } });
    expect(await checkTemplateFile({ name: 'big.yaml', size: 2_000_000, text: async () => '' })).toEqual({ ok: false, refusal: { kind: 'too_large', bytes: 2_000_000 } });
    expect(await checkTemplateFile(file('image.yaml', 'PNG\u0000\u0001'))).toEqual({ ok: false, refusal: { kind: 'not_text' } });
  });

  it('gives the shared validator’s problems at their lines', async () => {
    const r = await checkTemplateFile(file('broken.yaml', BAD));
    expect(r.ok).toBe(false);
    const issues = (r as { refusal: { kind: string; issues: { line?: number; path: string; message: string }[] } }).refusal.issues;
    expect(issues[0]).toMatchObject({ line: 4, path: 'steps[0].pdf_mrege' });
    expect(issues[0]!.message).toContain('pdf_merge');
  });

  it('names a template after its file, else after its own name:', async () => {
    expect(await checkTemplateFile(file('weekly_report.yaml', GOOD('週報')))).toMatchObject({ ok: true, name: 'weekly_report' });
    expect(await checkTemplateFile(file('週報.yml', GOOD('Weekly report')))).toMatchObject({ ok: true, name: 'weekly_report' });
  });

  it('finds a free name for keep both', () => {
    expect(freeTemplateName('invoice', new Set(['invoice', 'invoice_2']))).toBe('invoice_3');
  });
});

describe('the template drop store', () => {
  it('saves the good files of a drop, refuses the others, and reads the list once', async () => {
    const t = setup();
    await t.store.getState().add([file('a.yaml', GOOD('A')), file('broken.yaml', BAD), file('notes.txt', 'x')], { canSave: true });
    expect(t.store.getState().items.map((i) => [i.file, i.state])).toEqual([
      ['a.yaml', 'saved'],
      ['broken.yaml', 'refused'],
      ['notes.txt', 'refused'],
    ]);
    expect(t.saved).toEqual(['a']);
    expect(t.listed()).toBe(1);
  });

  it('asks on a name clash: replace, keep both or cancel', async () => {
    const t = setup(['invoice', 'memo', 'plan']);
    await t.store.getState().add([file('invoice.yaml', GOOD('I')), file('memo.yaml', GOOD('M')), file('plan.yaml', GOOD('P'))], { canSave: true });
    const items = t.store.getState().items;
    expect(items.map((i) => i.state)).toEqual(['clash', 'clash', 'clash']);
    expect(items[0]).toMatchObject({ name: 'invoice', freeName: 'invoice_2' });
    expect(t.saved).toEqual([]);

    await t.store.getState().choose(items[0]!.id, 'replace');
    await t.store.getState().choose(items[1]!.id, 'keep_both');
    await t.store.getState().choose(items[2]!.id, 'cancel');
    expect(t.store.getState().items).toMatchObject([
      { state: 'saved', name: 'invoice', replaced: true },
      { state: 'saved', name: 'memo_2', replaced: false },
      { state: 'cancelled', name: 'plan' },
    ]);
    expect(t.saved).toEqual(['invoice', 'memo_2']);
  });

  it('two files of one name in one drop clash with each other', async () => {
    const t = setup();
    await t.store.getState().add([file('x.yaml', GOOD('X')), file('x.yml', GOOD('X2'))], { canSave: true });
    expect(t.store.getState().items.map((i) => i.state)).toEqual(['saved', 'clash']);
  });

  it('refuses to save without manage_templates, and shows the core’s refusal of a save', async () => {
    const t = setup();
    await t.store.getState().add([file('a.yaml', GOOD('A'))], { canSave: false });
    expect(t.store.getState().items[0]).toMatchObject({ state: 'refused', refusal: { kind: 'no_permission' } });
    const refused = setup([], () => fail('VALIDATION_ERROR', 'The template is invalid', { issues: [{ path: 'steps[0]', message: 'unknown', line: 3, column: 5 }] }));
    await refused.store.getState().add([file('a.yaml', GOOD('A'))], { canSave: true });
    expect(refused.store.getState().items[0]).toMatchObject({ state: 'refused', refusal: { kind: 'invalid', issues: [{ line: 3, column: 5 }] } });
    const down = setup([], () => fail('FORBIDDEN', "The permission 'manage_templates' is required"));
    await down.store.getState().add([file('a.yaml', GOOD('A'))], { canSave: true });
    expect(down.store.getState().items[0]).toMatchObject({ state: 'refused', refusal: { kind: 'save_failed', error: { code: 'FORBIDDEN' } } });
    expect(down.listed()).toBe(0);
  });
});
