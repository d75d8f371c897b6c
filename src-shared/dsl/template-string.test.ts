import { describe, expect, it } from 'vitest';
import { getField, type Lookup } from './expression';
import { TemplateSyntaxError, parseTemplateString, renderParsed, type RenderTaint } from './template-string';

const vars: Record<string, unknown> = {
  inbox: '/home/u/Downloads',
  a: '{{a}}',
  evil: '{{secrets://api_key}}',
  files: ['/x/a.pdf', '/x/b.pdf'],
  n: 3,
  nothing: null,
  path: 'C:\\Users\\u\\report.pdf',
};
const lookup: Lookup = (segs) => {
  let v: unknown = vars;
  for (const s of segs) {
    const r = getField(v, s);
    if (!r.found) return { found: false, message: `undefined variable '${segs[0]}'` };
    v = r.value;
  }
  return { found: true, value: v };
};
const secrets = new Map([['api_key', 's3cr3t'], ['external_api/api_key', 'ext-key']]);
const render = (s: string) => renderParsed(parseTemplateString(s), { lookup, secrets });

describe('templating', () => {
  it('interpolates variables and keeps the type of a whole reference', () => {
    expect(render('{{inbox}}/merged.pdf')).toBe('/home/u/Downloads/merged.pdf');
    expect(render('{{ files }}')).toEqual(['/x/a.pdf', '/x/b.pdf']);
    expect(render('{{n}}')).toBe(3);
    expect(render('pages: {{n}}')).toBe('pages: 3');
    expect(render('list {{files}}')).toBe('list ["/x/a.pdf","/x/b.pdf"]');
  });

  it('applies filters', () => {
    expect(render("{{ inbox | replace:'Downloads','Documents' | upper }}")).toBe('/HOME/U/DOCUMENTS');
    expect(render("{{ missing | default:'x' }}")).toBe('x');
    expect(render("{{ nothing | default:'fallback' }}")).toBe('fallback');
    expect(render('{{ files | json }}')).toBe('["/x/a.pdf","/x/b.pdf"]');
    expect(render('{{ files[0] | basename }}')).toBe('a.pdf');
    expect(render('{{ files[0] | dirname }}')).toBe('/x');
    expect(render('{{ path | basename }}')).toBe('report.pdf');
    expect(render('{{ inbox | lower }}')).toBe('/home/u/downloads');
  });

  it('resolves secrets by key and service/key', () => {
    expect(render('Bearer {{secrets://api_key}}')).toBe('Bearer s3cr3t');
    expect(render('{{ secrets://external_api/api_key }}')).toBe('ext-key');
    expect(() => render('{{secrets://other}}')).toThrow("Secret 'other' not found");
  });

  it('is single-pass: a value containing {{x}} stays literal (no loop, no injection)', () => {
    expect(render('{{a}}')).toBe('{{a}}');
    expect(render('value={{evil}}')).toBe('value={{secrets://api_key}}');
  });

  it('never turns an undefined or null value into an empty string', () => {
    expect(() => render('x{{missing}}y')).toThrow("undefined variable 'missing'");
    expect(() => render('x{{nothing}}y')).toThrow(/has no value \(null\); add \| default/);
  });

  it('reports syntax errors with their offset', () => {
    const cases: [string, RegExp, number][] = [
      ['a {{ b ', /without a closing '}}'/, 2],
      ['{{ }}', /empty \{\{ \}\}/, 2],
      ['{{ a | uper }}', /unknown filter 'uper' \(did you mean 'upper'\?\)/, 6],
      ["{{ a | replace:'x' }}", /takes 2 arguments/, 6],
      ['{{ secrets://a/b/c }}', /not a secret reference/, 3],
      ['{{ a b }}', /unexpected 'b'/, 5],
      ['{{ {{a}} }}', /cannot be nested/, 3],
      ["{{secrets://k | replace:'3','3 '}}", /the filter replace cannot be applied to a secret \(secrets:\/\/k\)/, 16],
      ['{{ secrets://k | upper |basename }}', /the filter basename cannot be applied to a secret/, 24],
      ['x {{secrets://s/k|dirname}}', /the filter dirname cannot be applied to a secret/, 18],
    ];
    for (const [src, message, offset] of cases) {
      try {
        parseTemplateString(src);
        expect.unreachable(src);
      } catch (e) {
        expect(e, src).toBeInstanceOf(TemplateSyntaxError);
        expect((e as Error).message, src).toMatch(message);
        expect((e as TemplateSyntaxError).offset, src).toBe(offset);
      }
    }
  });

  it('keeps quoted braces inside a reference and single braces as text', () => {
    expect(render("{{ missing | default:'}}' }}")).toBe('}}');
    expect(render('{stem}.{ext}')).toBe('{stem}.{ext}');
  });
});

describe('secrets as tainted values (issue 21)', () => {
  /** A taint that knows one secret; derived values are recorded and returned marked. */
  const taintFor = (secret: string) => {
    const derived: unknown[] = [];
    const taint: RenderTaint = {
      holds: (v) => JSON.stringify(v ?? null).includes(secret),
      derived: (v) => {
        derived.push(v);
        return `<derived ${JSON.stringify(v)}>`;
      },
    };
    return { taint, derived };
  };
  const withTaint = (s: string, taint: RenderTaint, extra: Record<string, unknown> = {}) => {
    const look: Lookup = (segs, text) => (Object.prototype.hasOwnProperty.call(extra, segs[0]!) ? { found: true, value: segs.slice(1).reduce<unknown>((v, seg) => (getField(v, seg) as { value: unknown }).value, extra[segs[0]!]) } : lookup(segs, text));
    return renderParsed(parseTemplateString(s), { lookup: look, secrets, taint });
  };

  it('passes a secret or a value holding one through as it is; anything computed from them goes to taint.derived', () => {
    const { taint, derived } = taintFor('s3cr3t');
    const body = { echo: 'you sent s3cr3t', status: 'ok' };
    expect(withTaint('Bearer {{secrets://api_key}}', taint)).toBe('Bearer s3cr3t');
    expect(withTaint("{{secrets://api_key | default:'x'}}", taint)).toBe('s3cr3t');
    expect(withTaint('{{ body }}', taint, { body })).toEqual(body);
    expect(withTaint('{{ body.status | upper }}', taint, { body })).toBe('OK');
    expect(derived).toEqual([]);
    expect(withTaint('{{secrets://api_key | upper}}', taint)).toBe('<derived "S3CR3T">');
    expect(withTaint('{{secrets://api_key | json}}', taint)).toBe('<derived "\\"s3cr3t\\"">');
    expect(withTaint("{{ body.echo | replace:'s','z' }}", taint, { body })).toBe('<derived "you zent z3cr3t">');
    expect(withTaint('n={{ body.echo.length }}', taint, { body })).toBe('n=<derived 15>');
    expect(withTaint("{{ body.echo == 'x' }}", taint, { body })).toBe('<derived false>');
    expect(withTaint("{{ 'a' | replace: body.echo, 'b' }}", taint, { body })).toBe('<derived "a">');
  });

  it('does not quote a value that holds a secret in an error', () => {
    const { taint } = taintFor('s3cr3t');
    expect(() => withTaint('{{ body.echo * 2 }}', taint, { body: { echo: 'you sent s3cr3t' } })).toThrow('{{ body.echo * 2 }} could not be evaluated (it reads a value that holds a secret, which is not shown)');
    expect(() => withTaint('{{ body.other * 2 }}', taint, { body: { echo: 'x', other: 'plain' } })).toThrow(/the text "plain"/);
  });
});
