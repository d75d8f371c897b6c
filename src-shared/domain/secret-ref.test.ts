import { describe, expect, it } from 'vitest';
import { formatSecretRef, parseSecretRef, secretNameProblem } from './secret-ref';

describe('secret references', () => {
  it('accepts the guide forms and keeps case', () => {
    expect(parseSecretRef('secrets://api_key')).toEqual({ ok: true, ref: { key: 'api_key' } });
    expect(parseSecretRef('secrets://external_api/API.Key-2')).toEqual({ ok: true, ref: { service: 'external_api', key: 'API.Key-2' } });
    expect(formatSecretRef({ service: 'external_api', key: 'api_key' })).toBe('external_api/api_key');
  });

  it('names what is wrong with a bad reference', () => {
    expect(parseSecretRef('secrets://a/b/c')).toEqual({ ok: false, message: expect.stringMatching(/more than one '\/'/) });
    expect(parseSecretRef('secrets://')).toEqual({ ok: false, message: 'the secret key is empty' });
    expect(parseSecretRef('secrets://svc/')).toEqual({ ok: false, message: 'the secret key is empty' });
    expect(parseSecretRef('secrets://bad key')).toEqual({ ok: false, message: expect.stringMatching(/'bad key' may contain only letters/) });
    expect(secretNameProblem('x'.repeat(129))).toMatch(/longer than 128/);
    expect(secretNameProblem('..', 'service')).toMatch(/cannot be '\.\.'/);
  });
});
