import { describe, expect, it } from 'vitest';
import { ExpressionError, ExpressionSyntaxError, MAX_EXPRESSION_NODES, evaluate, getField, parseExpression, type Lookup } from './expression';

const data: Record<string, unknown> = {
  steps: [{ found: 3, files: ['a.pdf', 'b.pdf'] }, { page_count: 12 }],
  count: '5',
  name: '週報',
  target: 'production',
  row: { 氏名: '山田', 'First Name': 'Taro' },
};
const lookup: Lookup = (segs) => {
  let v: unknown = data;
  for (const s of segs) {
    const r = getField(v, s);
    if (!r.found) return { found: false, message: `${segs.join('.')} is undefined` };
    v = r.value;
  }
  return { found: true, value: v };
};
const run = (src: string) => evaluate(parseExpression(src), lookup);

describe('when expressions', () => {
  it('compares step results, variables and literals', () => {
    expect(run('steps[0].found > 0')).toBe(true);
    expect(run('steps[0].found > 3')).toBe(false);
    expect(run('steps.1.page_count == 12')).toBe(true);
    expect(run('steps[0].files.length >= 2 and target == "production"')).toBe(true);
    expect(run("not (target != 'production')")).toBe(true);
    expect(run('name == "週報"')).toBe(true);
    expect(run('row.氏名 == "山田" and row["First Name"] == "Taro"')).toBe(true);
  });

  it('treats numeric text from --var as a number next to a number', () => {
    expect(run('count > 3')).toBe(true);
    expect(run('count == 5')).toBe(true);
    expect(run('count + 1')).toBe(6);
  });

  it('does arithmetic with precedence and unary minus', () => {
    expect(run('1 + 2 * 3')).toBe(7);
    expect(run('(1 + 2) * 3')).toBe(9);
    expect(run('-steps[0].found + 10 % 4')).toBe(-1);
    expect(run('7 / 2')).toBe(3.5);
    expect(run('"a" + "b"')).toBe('ab');
  });

  it('supports in and not in over lists, texts and objects', () => {
    expect(run('"a.pdf" in steps[0].files')).toBe(true);
    expect(run('"c.pdf" not in steps[0].files')).toBe(true);
    expect(run('"prod" in target')).toBe(true);
    expect(run('target in ["staging", "production"]')).toBe(true);
    expect(run('"氏名" in row')).toBe(true);
  });

  it('short-circuits and/or and returns an operand', () => {
    expect(run('false and missing.field')).toBe(false);
    expect(run('true or missing.field')).toBe(true);
    expect(run('null or "fallback"')).toBe('fallback');
  });

  it('reports syntax errors with the offset of the problem', () => {
    const cases: [string, RegExp, number][] = [
      ['steps[0].found >', /expected a value but found end of expression/, 16],
      ['a && b', /'&&' is not an operator here; write 'and'/, 2],
      ['a = 1', /write '=='/, 2],
      ['"open', /unterminated string/, 0],
      ['1 < 2 < 3', /cannot be chained/, 6],
      ['a b', /unexpected 'b' \(join conditions with and\/or\)/, 2],
      ['steps[x]', /expected an index/, 6],
      ['f(1)', /unexpected '\('/, 1],
    ];
    for (const [src, message, offset] of cases) {
      try {
        parseExpression(src);
        expect.unreachable(src);
      } catch (e) {
        expect(e, src).toBeInstanceOf(ExpressionSyntaxError);
        expect((e as Error).message, src).toMatch(message);
        expect((e as ExpressionSyntaxError).offset, src).toBe(offset);
      }
    }
  });

  it('bounds size and depth', () => {
    expect(() => parseExpression('1' + ' + 1'.repeat(MAX_EXPRESSION_NODES))).toThrow(/more than 256 parts/);
    expect(() => parseExpression('('.repeat(100) + '1' + ')'.repeat(100))).toThrow(/nested more than 32 levels/);
    expect(() => parseExpression('x'.repeat(3000))).toThrow(/longer than 2000/);
  });

  it('fails evaluation clearly: undefined paths, bad types, division by zero', () => {
    expect(() => run('steps[5].found > 0')).toThrow(ExpressionError);
    expect(() => run('steps[0].files > 1')).toThrow(/cannot compare a list with number 1/);
    expect(() => run('1 / 0')).toThrow(/division by zero/);
    expect(() => run('-"x"')).toThrow(/unary minus needs a number/);
  });

  it('never reaches prototypes or host objects', () => {
    expect(() => run('row.constructor')).toThrow(/undefined/);
    expect(() => run('row.__proto__')).toThrow(/undefined/);
    expect(() => run('steps.length.toString')).toThrow(/undefined/);
  });
});
