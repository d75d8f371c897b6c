import { describe, expect, it } from 'vitest';
import { Redactor } from './redaction';

describe('Redactor', () => {
  it('masks a registered value wherever it appears', () => {
    const r = new Redactor();
    r.register('s3cr3t-value');
    expect(r.mask('token=s3cr3t-value; again s3cr3t-value')).toBe('token=***; again ***');
  });

  it('masks URL-encoded and base64 forms, including base64 inside a Basic header', () => {
    const r = new Redactor();
    const secret = 'p@ss word/with+chars';
    r.register(secret);
    expect(r.mask(`q=${encodeURIComponent(secret)}`)).not.toContain(encodeURIComponent(secret));
    expect(r.mask(Buffer.from(secret).toString('base64'))).toBe('***');
    for (const user of ['a', 'ab', 'abc', 'admin']) {
      const basic = Buffer.from(`${user}:${secret}`).toString('base64');
      const masked = r.mask(`Authorization: Basic ${basic}`);
      expect(masked).toContain('***');
      // No run of the secret's own base64 core survives.
      expect(masked).not.toContain(basic);
    }
  });

  it('masks the longer of two overlapping secrets whole', () => {
    const r = new Redactor();
    r.register('abc');
    r.register('abcdef');
    expect(r.mask('x abcdef y abc')).toBe('x *** y ***');
  });

  it('masks strings and keys deep inside objects without breaking their shape', () => {
    const r = new Redactor();
    r.register('hunter22');
    const out = r.maskDeep({ headers: { Authorization: 'Bearer hunter22' }, list: ['hunter22', 3], hunter22: true });
    expect(out).toEqual({ headers: { Authorization: 'Bearer ***' }, list: ['***', 3], '***': true });
  });

  it('leaves text untouched when nothing is registered', () => {
    const r = new Redactor();
    const s = 'plain';
    expect(r.mask(s)).toBe(s);
  });
});
