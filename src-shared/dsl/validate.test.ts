import { describe, expect, it } from 'vitest';
import { MAX_STEPS, validateTemplate } from './validate';

const head = 'dsl_version: "1.1"\nname: test\n';
const errorsOf = (text: string) => validateTemplate(text).errors;
const find = (text: string, path: string) => errorsOf(text).filter((e) => e.path === path);

describe('validateTemplate', () => {
  it('accepts the SPEC example and returns the compiled template', () => {
    const r = validateTemplate(`dsl_version: "1.1"
name: "Weekly report"
variables: { inbox: "~/Downloads", target: production }
execution:
  queue: default
  priority: 5
  concurrency_tag: pdf-processing
  timeout_ms: 3600000
  retry: { max_attempts: 3, backoff_ms: 1000, backoff_multiplier: 1.5, only_idempotent: true }
steps:
  - find_files: { query: "kind:pdf", roots: ["{{inbox}}"], limit: 50 }
  - pdf_merge: { inputs_from: "{{inbox}}", out: "{{inbox}}/merged-{{date}}.pdf", when: "steps[0].found > 0" }
`);
    expect(r.errors).toEqual([]);
    expect(r.valid).toBe(true);
    expect(r.template?.steps.map((s) => s.action)).toEqual(['find_files', 'pdf_merge']);
    expect(r.template?.execution).toMatchObject({ queue: 'default', priority: 5, retry: { max_attempts: 3 } });
    expect(r.template?.steps[1]?.when).toBeDefined();
  });

  it('reports every problem at once with path, line and column', () => {
    const text = `${head}steps:
  - find_files: { query: "kind:pdf", roots: ["/tmp"] }
  - log: { message: hi }
  - pdf_merge:
      inputs: ["/tmp/a.pdf"]
  - pdf_mrege: { out: x }
  - log: { mesage: "x" }
`;
    const errors = errorsOf(text);
    expect(errors).toEqual(
      expect.arrayContaining([
        { path: 'steps[2].pdf_merge.out', message: 'required', line: 6, column: 5 },
        { path: 'steps[3].pdf_mrege', message: "unknown action 'pdf_mrege' (did you mean 'pdf_merge'?)", line: 8, column: 5 },
        { path: 'steps[4].log.mesage', message: "unknown param 'mesage' (did you mean 'message'?)", line: 9, column: 12 },
        { path: 'steps[4].log.message', message: 'required', line: 9, column: 5 },
      ]),
    );
    expect(errors.length).toBeGreaterThanOrEqual(4);
  });

  it('stops an undefined variable at its line and column (never an empty string later)', () => {
    const text = `${head}variables: { inbox: /tmp }\nsteps:\n  - log: { message: "see {{ inbx }}/x" }\n`;
    expect(errorsOf(text)).toEqual([
      {
        path: 'steps[0].log.message',
        message: "undefined variable 'inbx' (did you mean 'inbox'?): declare it under variables: (null if it must be given with each run), or add | default:'…'",
        line: 5,
        column: 29,
      },
    ]);
    expect(errorsOf(`${head}steps:\n  - log: { message: "{{ nobody | default:'x' }}" }\n`)).toEqual([]);
  });

  it('checks step references: earlier steps only, known ids, known result fields', () => {
    const text = `${head}steps:
  - find_files: { query: "", roots: [/tmp], id: find }
  - pdf_merge: { inputs: "{{steps.find.files}}", out: /tmp/m.pdf, id: merge }
  - log: { message: "{{steps.merge.page_cont}} {{steps[3].x}} {{steps.later.x}} {{steps.nope.x}}" }
  - log: { message: "{{steps[2].message}}", id: later }
`;
    const messages = find(text, 'steps[2].log.message').map((e) => e.message);
    expect(messages).toEqual([
      "pdf_merge results have no field 'page_cont' (did you mean 'page_count'?); fields: out_path, page_count, inputs, would_write",
      'steps[3] has not run yet at this point; a step can read only the results of steps before it',
      'steps.later has not run yet at this point; a step can read only the results of steps before it',
      "no step has the id 'nope'",
    ]);
    expect(find(text, 'steps[3].log.message').map((e) => e.message)).toEqual([]);
  });

  it('makes a when syntax error a validation error, not a silent skip', () => {
    const text = `${head}steps:\n  - find_files: { query: "", roots: [/tmp] }\n  - log: { message: hi, when: "steps[0].found >" }\n`;
    expect(errorsOf(text)).toEqual([{ path: 'steps[1].log.when', message: 'invalid when expression: expected a value but found end of expression', line: 5, column: 48 }]);
    const wrapped = validateTemplate(`${head}steps:\n  - log: { message: a }\n  - log: { message: b, when: "{{ steps[0].level == 'info' }}" }\n`);
    expect(wrapped.errors).toEqual([]);
    expect(wrapped.warnings[0]?.message).toBe('when is already an expression: write it without {{ }}');
  });

  it('validates reserved step params', () => {
    const text = `${head}steps:
  - log: { message: a, id: "9bad", timeout_ms: 0, retry: { max_attempt: 2 }, continue_on_error: maybe }
  - log: { message: b, id: dup }
  - log: { message: c, id: dup }
`;
    const errors = errorsOf(text);
    expect(errors.map((e) => `${e.path}: ${e.message}`)).toEqual(
      expect.arrayContaining([
        'steps[0].log.id: an id is letters, digits and _, starting with a letter or _ (at most 64)',
        'steps[0].log.timeout_ms: must be at least 1',
        'steps[0].log.retry.max_attempts: required',
        "steps[0].log.retry.max_attempt: unknown param 'max_attempt' (did you mean 'max_attempts'?)",
        'steps[0].log.continue_on_error: expected true or false',
        "steps[2].log.id: duplicate step id 'dup' (also at steps[1].log)",
      ]),
    );
  });

  it('skips type checks of values that are still templates and checks literal ones', () => {
    expect(errorsOf(`${head}variables: { n: 5 }\nsteps:\n  - find_files: { query: "", roots: [/tmp], limit: "{{n}}" }\n`)).toEqual([]);
    expect(find(`${head}steps:\n  - find_files: { query: "", roots: [/tmp], limit: many }\n`, 'steps[0].find_files.limit')[0]?.message).toBe('expected a whole number from 1 to 100000');
    expect(find(`${head}steps:\n  - find_files: { query: "knd:pdf", roots: [/tmp] }\n`, 'steps[0].find_files.query')[0]?.message).toMatch(/did you mean 'kind'/);
    expect(find(`${head}steps:\n  - pdf_extract_pages: { input: a.pdf, pages: "3-1", out: b.pdf }\n`, 'steps[0].pdf_extract_pages.pages')[0]?.message).toMatch(/runs backwards/);
    expect(find(`${head}steps:\n  - rename: { rule: "{stm}.pdf" }\n`, 'steps[0].rename.rule')[0]?.message).toMatch(/did you mean 'stem'/);
  });

  it('knows mail drafts come before attachments, and asks once before a loop', () => {
    expect(find(`${head}steps:\n  - attach_files: { paths: [a] }\n`, 'steps[0].attach_files')[0]?.message).toBe('attach_files needs a mail draft: put a compose_mail step before it');
    const loop = `${head}steps:\n  - for_each:\n      items: [1, 2]\n      steps:\n        - human_confirm: { message: ok? }\n`;
    expect(find(loop, 'steps[0].for_each.steps[0].human_confirm')[0]?.message).toMatch(/cannot be inside for_each/);
  });

  it('scopes loop items and loop fields to for_each bodies', () => {
    const ok = `${head}steps:
  - read_csv: { path: /tmp/p.csv, id: csv }
  - for_each:
      items: "{{steps.csv.rows}}"
      steps:
        - log: { message: "{{row.氏名}} {{loop.number}}/{{loop.count}}", id: greet }
        - log: { message: "{{steps.greet.message}}" }
`;
    expect(errorsOf(ok)).toEqual([]);
    const bad = `${head}steps:\n  - log: { message: "{{row.name}} {{loop.index}}" }\n`;
    expect(errorsOf(bad).map((e) => e.message)).toEqual([expect.stringMatching(/undefined variable 'row.name'/), "'loop' is only defined inside for_each"]);
  });

  it('checks dsl_version, top-level keys, variables and execution', () => {
    const r = validateTemplate(`dsl_version: 1.1\nname: x\nvariables: { steps: 1, "bad-name": 2, tpl: "{{other}}" }\nexecution: { priorty: 3 }\nsteps:\n  - log: { message: x }\n`);
    expect(r.warnings.map((w) => w.message)).toEqual([
      'dsl_version should be the string "1.1", not the number 1.1',
      "variable values are data, not templates: '{{other}}' stays literal (compute it in the step instead)",
    ]);
    expect(r.errors.map((e) => `${e.path}: ${e.message}`)).toEqual([
      "variables.steps: 'steps' is reserved in templates (steps, date, now, run, trigger, loop, secrets); choose another name",
      "variables.bad-name: 'bad-name' is not a variable name: use letters, digits and _ (no spaces, dots or dashes)",
      "execution.priorty: unknown key 'priorty' (did you mean 'priority'?)",
    ]);
  });

  it('bounds size and nesting', () => {
    const many = `${head}steps:\n${'  - log: { message: x }\n'.repeat(MAX_STEPS + 1)}`;
    expect(errorsOf(many).map((e) => e.message)).toContain(`the template has ${MAX_STEPS + 1} steps; at most ${MAX_STEPS}`);
    const deep = `${head}steps:\n  - log: { message: x, level: ${'['.repeat(40)}${']'.repeat(40)} }\n`;
    expect(errorsOf(deep)[0]?.message).toMatch(/nested \d+ levels deep; at most 32/);
    expect(errorsOf('x'.repeat(1_000_001))[0]?.message).toMatch(/larger than 1000000 bytes/);
  });
});
