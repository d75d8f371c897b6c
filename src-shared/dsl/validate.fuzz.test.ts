import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ACTION_SPECS } from './actions';
import { validateTemplate, type ValidationReport } from './validate';

/**
 * Thousands of mutated templates through the validator: it never throws, never hits its own
 * internal-error guard, and always answers with structured problems (path, message, line, column).
 */

const SEEDS = [
  `dsl_version: "1.1"
name: "Weekly report"
variables: { inbox: "~/Downloads", out: "~/Reports", to: "boss@example.com" }
steps:
  - find_files: { query: "kind:pdf modified:>2024-01-01 OR name:週報*", roots: ["{{inbox}}"], limit: 50, id: find }
  - rename: { rule: "{date}_{index:2}_{stem}.{ext}", when: "steps.find.found > 0" }
  - move_to: { dest: "{{out}}/{{date}}", on_conflict: suffix, id: move }
  - pdf_merge: { inputs: "{{steps.move.out_paths}}", out: "{{out}}/merged-{{date}}.pdf", id: merge }
  - pdf_extract_pages: { input: "{{steps.merge.out_path}}", pages: "1,3-5", out: "{{out}}/summary.pdf" }
  - compose_mail: { to: "{{to}}", subject: "週報 {{date}}", body: "{{steps.merge.page_count}} pages" }
  - attach_files: { paths: ["{{steps.merge.out_path}}"] }
  - save_draft: {}
`,
  `dsl_version: "1.1"
name: csv
variables: { csv: null, url: "https://example.com/form" }
steps:
  - read_csv: { path: "{{csv}}", id: rows }
  - for_each:
      items: "{{steps.rows.rows}}"
      on_item_error: continue
      steps:
        - open_browser: { url: "{{url}}" }
        - fill_by_label: { label: 氏名, text: "{{row.name | default:'?'}}" }
        - click_by_text: { text: 送信, role: button, retry: { max_attempts: 2, backoff_ms: 10 } }
        - log: { message: "row {{loop.number}} of {{loop.count}}", when: "loop.index % 2 == 0 and not loop.last" }
`,
  `dsl_version: "1.1"
name: api
steps:
  - make_request:
      url: "https://api.example.com/data"
      method: post
      headers: { Authorization: "Bearer {{secrets://api_key}}", X-API-Key: "{{secrets://external_api/api_key}}" }
      json: { a: [1, 2, { b: "{{run.id}}" }] }
      expect_status: [200, 201]
      timeout_ms: 5000
      id: call
  - human_confirm: { message: "本番環境へのデプロイを実行しますか？", timeout_minutes: 30, auto_action: deny, required_role: Editor, risk_level: high }
  - log: { message: "{{steps.call.json.items[0].id}} -{{ steps[0].status * 2 }}", level: warn, continue_on_error: true }
`,
];

const NASTY = ['{', '}', '[', ']', ':', '"', "'", '\n', '  ', '-', '|', '>', '&', '*', '!', '%', '@', '#', '{{', '}}', '\\', '\t', ',', '?', 'steps', '\u0000', '日本'];

function checkReport(r: ValidationReport): void {
  expect(typeof r.valid).toBe('boolean');
  expect(Array.isArray(r.errors)).toBe(true);
  expect(Array.isArray(r.warnings)).toBe(true);
  for (const issue of [...r.errors, ...r.warnings]) {
    expect(typeof issue.path).toBe('string');
    expect(typeof issue.message).toBe('string');
    expect(issue.message.length).toBeGreaterThan(0);
    expect(Number.isInteger(issue.line) && issue.line! >= 1).toBe(true);
    expect(Number.isInteger(issue.column) && issue.column! >= 1).toBe(true);
    expect(issue.message).not.toMatch(/internal validator error/);
  }
  if (r.valid) {
    expect(r.errors).toEqual([]);
    expect(r.template).toBeDefined();
  } else {
    expect(r.errors.length).toBeGreaterThan(0);
  }
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...NASTY), fc.string({ maxLength: 6 })) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), other: fc.nat() }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(seed: string, ops: Mutation[]): string {
  let s = seed;
  for (const op of ops) {
    const at = s.length ? op.at % s.length : 0;
    if (op.kind === 'insert') s = s.slice(0, at) + op.text + s.slice(at);
    else if (op.kind === 'delete') s = s.slice(0, at) + s.slice(at + op.length);
    else {
      const lines = s.split('\n');
      const a = op.at % lines.length;
      const b = op.other % lines.length;
      [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      s = lines.join('\n');
    }
  }
  return s;
}

const jsonish = fc.letrec((tie) => ({
  value: fc.oneof(
    { maxDepth: 4 },
    fc.string({ maxLength: 20 }),
    fc.constantFrom('{{steps[0].found}}', '{{ x | upper }}', '{{secrets://k}}', '{{', 'kind:pdf OR', '1,3-', '~/a b/日本.pdf', 'GET', '{stem}'),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('when', 'id', 'retry', 'timeout_ms', 'steps', 'items', 'out', 'inputs', 'paths')), tie('value'), { maxKeys: 5 }),
  ),
})).value;

const step = fc.oneof(
  fc.tuple(fc.constantFrom(...ACTION_SPECS.keys(), 'pdf_mrege', 'unknown', ''), fc.oneof(jsonish, fc.dictionary(fc.string({ maxLength: 8 }), jsonish, { maxKeys: 6 }))).map(([a, p]) => ({ [a]: p })),
  jsonish,
);

describe('validateTemplate under fuzzing', () => {
  it('survives thousands of text mutations of real templates', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SEEDS), fc.array(mutation, { minLength: 1, maxLength: 8 }), (seed, ops) => {
        checkReport(validateTemplate(mutate(seed, ops)));
      }),
      { numRuns: 3_000 },
    );
  }, 180_000);

  it('survives thousands of random structures in steps, params and variables', () => {
    fc.assert(
      fc.property(
        fc.record({
          dsl_version: fc.constantFrom('1.1', 1.1, '2', undefined),
          name: fc.oneof(fc.string({ maxLength: 10 }), fc.constant(undefined)),
          variables: fc.oneof(fc.dictionary(fc.string({ maxLength: 6 }), jsonish, { maxKeys: 4 }), jsonish),
          execution: fc.oneof(fc.constant(undefined), jsonish),
          steps: fc.oneof(fc.array(step, { maxLength: 6 }), jsonish),
        }),
        (t) => {
          const text = stringify(JSON.parse(JSON.stringify(t)) as unknown);
          checkReport(validateTemplate(text));
        },
      ),
      { numRuns: 3_000 },
    );
  }, 180_000);

  it('keeps the seeds themselves valid (so mutations start from real templates)', () => {
    for (const seed of SEEDS) expect(validateTemplate(seed).errors).toEqual([]);
  });
});
