import { describe, expect, it } from 'vitest';
import { getField, parseExpression, type Lookup } from '@shared/dsl/expression';
import { Redactor } from '../security/redaction';
import { MAX_DERIVED_LENGTH, evaluateWhen, secretTaint } from './secret-values';

describe('secretTaint: what a run computes from a secret', () => {
  it('masks a derived text for the length of the run, and replaces what its text could not identify by ***', () => {
    const redactor = new Redactor();
    redactor.register('s3cr3t-value');
    const taint = secretTaint(redactor);
    expect(taint.derived('S3CR3T-VALUE')).toBe('S3CR3T-VALUE');
    expect(redactor.mask('got S3CR3T-VALUE')).toBe('got ***');
    for (const unidentifiable of ['value', 12, true, ['S3CR3T-VALUE'], 'x'.repeat(MAX_DERIVED_LENGTH + 1)]) expect(taint.derived(unidentifiable)).toBe('***');
    taint.release();
    expect(redactor.mask('got S3CR3T-VALUE, s3cr3t-value')).toBe('got S3CR3T-VALUE, ***');
  });

  it('refuses a when that reads a value holding a secret, whatever it says', () => {
    const redactor = new Redactor();
    redactor.register('s3cr3t-value');
    const values: Record<string, unknown> = { body: 'echo s3cr3t-value', plain: 'ok' };
    const lookup: Lookup = (segs) => {
      let v: unknown = values;
      for (const seg of segs) {
        const r = getField(v, seg);
        if (!r.found) return { found: false, message: 'undefined' };
        v = r.value;
      }
      return { found: true, value: v };
    };
    const taint = secretTaint(redactor);
    expect(evaluateWhen(parseExpression("plain == 'ok'"), lookup, taint)).toBe(true);
    for (const when of ["'s' in body", "body == 'x'", 'body.length > 3']) expect(() => evaluateWhen(parseExpression(when), lookup, taint), when).toThrow('a step cannot be chosen by what a secret says');
    expect(() => evaluateWhen(parseExpression('body * 2'), lookup, taint)).toThrow('it reads a value that holds a secret, which is not shown');
  });
});
