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
    r.register('abcd');
    r.register('abcdefgh');
    expect(r.mask('x abcdefgh y abcd')).toBe('x *** y ***');
  });

  it('masks strings and keys deep inside objects without breaking their shape', () => {
    const r = new Redactor();
    r.register('hunter22');
    const out = r.maskDeep({ headers: { Authorization: 'Bearer hunter22' }, list: ['hunter22', 3], hunter22: true });
    expect(out).toEqual({ headers: { Authorization: 'Bearer ***' }, list: ['***', 3], '***': true });
  });

  it('does not mask values too short to be told apart from ordinary text', () => {
    const r = new Redactor();
    r.register('id');
    r.register('abc');
    expect(r.size).toBe(0);
    expect(r.maskDeep({ id: 'abc' })).toEqual({ id: 'abc' });
  });

  it('leaves text untouched when nothing is registered', () => {
    const r = new Redactor();
    const s = 'plain';
    expect(r.mask(s)).toBe(s);
  });
});

describe('Redactor: forms and overlaps', () => {
  it('masks two secrets that overlap in the text without leaving a tail of either', () => {
    const r = new Redactor();
    r.register('abcd1234');
    r.register('1234wxyz');
    expect(r.mask('[abcd1234wxyz]')).toBe('[***]');
  });

  it('masks a secret that is a substring of another, alone and inside the longer one', () => {
    const r = new Redactor();
    r.register('token-42');
    r.register('prefix-token-42-suffix');
    expect(r.mask('a prefix-token-42-suffix b token-42 c')).toBe('a *** b *** c');
  });

  it('masks lower-case percent escapes, encodeURI and form encoding', () => {
    const r = new Redactor();
    const secret = 'k/ey?with=sp ace&more';
    r.register(secret);
    const lower = encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase());
    for (const form of [encodeURIComponent(secret), lower, encodeURI(secret), new URLSearchParams({ q: secret }).toString().slice(2)]) {
      expect(r.mask(`url?x=${form}&y=1`), form).toBe('url?x=***&y=1');
    }
  });

  it('masks base64, base64url and JSON-escaped forms', () => {
    const r = new Redactor();
    const secret = 'quote"back\\slash>>??';
    r.register(secret);
    expect(r.mask(Buffer.from(secret).toString('base64url'))).toBe('***');
    expect(r.mask(JSON.stringify({ v: secret }))).toBe('{"v":"***"}');
    // The value at every offset inside a longer base64 payload leaves no run of its own encoding.
    for (const prefix of ['', 'x', 'xy', 'xyz:']) {
      const b64 = Buffer.from(`${prefix}${secret}!`).toString('base64');
      expect(r.mask(b64)).toContain('***');
    }
  });

  it('masks inside Error messages and nested arrays', () => {
    const r = new Redactor();
    r.register('pa55-w0rd');
    const out = r.maskDeep({ errors: [new Error('login failed for pa55-w0rd')] });
    expect((out.errors[0] as Error).message).toBe('login failed for ***');
  });
});

describe('Redactor: the forms URLs give a value, and any depth (issue 21)', () => {
  const secret = "sk!a b/ü&=~'(x)*";

  it('masks what URLSearchParams, new URL and fetch make of a value in a query or a path', () => {
    const r = new Redactor();
    r.register(secret);
    const query = new URL('http://127.0.0.1/q');
    query.searchParams.append('token', secret);
    expect(r.mask(query.href)).toBe('http://127.0.0.1/q?token=***');
    // Typed straight into a URL's query: the URL parser escapes only space, quotes, # < >.
    const inline = secret.replace(/[&=/#]/g, '');
    r.register(inline);
    expect(r.mask(new URL(`http://127.0.0.1/q?token=${inline}`).href)).toBe('http://127.0.0.1/q?token=***');
    const path = new URL(`http://127.0.0.1/files/${secret.replace(/\//g, '')}`);
    r.register(secret.replace(/\//g, ''));
    expect(r.mask(path.href)).toBe('http://127.0.0.1/files/***');
    const strict = encodeURIComponent(secret).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    expect(r.mask(`x=${strict}`)).toBe('x=***');
    expect(r.mask(`x=${strict.toLowerCase()}`)).toBe('x=***');
  });

  it('masks strings 10,000 levels deep, and copies shared and cyclic values once', () => {
    const r = new Redactor();
    r.register('deep-secret-value');
    let deep: unknown = { leaf: 'deep-secret-value', list: ['deep-secret-value'] };
    for (let i = 0; i < 10_000; i++) deep = { a: [deep] };
    let out = r.maskDeep(deep) as { a: unknown[] };
    for (let i = 0; i < 10_000; i++) out = out.a[0] as { a: unknown[] };
    expect(out).toEqual({ leaf: '***', list: ['***'] });
    expect(r.holds(deep)).toBe(true);

    const shared = { token: 'deep-secret-value' };
    const cyclic: Record<string, unknown> = { one: shared, two: shared };
    cyclic.self = cyclic;
    const copy = r.maskDeep(cyclic);
    expect(copy.one).toEqual({ token: '***' });
    expect(copy.one).toBe(copy.two);
    expect(copy.self).toBe(copy);
    expect(r.holds({ a: [{ b: 'nothing here' }], c: cyclic })).toBe(true);
    expect(r.holds({ a: [{ b: 'nothing here' }] })).toBe(false);
  });
});

describe('Redactor: values derived from a secret, for the length of a run', () => {
  it('masks a transient value until every holder released it; a secret stays for good', () => {
    const r = new Redactor();
    r.register('the-secret-9');
    const one = r.registerTransient('THE-SECRET-9');
    const two = r.registerTransient('THE-SECRET-9');
    const alsoSecret = r.registerTransient('the-secret-9');
    expect(r.mask('THE-SECRET-9 the-secret-9')).toBe('*** ***');
    one();
    one();
    expect(r.mask('THE-SECRET-9')).toBe('***');
    two();
    alsoSecret();
    expect(r.mask('THE-SECRET-9 the-secret-9')).toBe('THE-SECRET-9 ***');
    expect(r.mask(encodeURIComponent('the-secret-9'))).toBe('***');
  });
});
