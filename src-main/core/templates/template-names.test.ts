import { describe, expect, it } from 'vitest';
import { normalizeTemplateName, slugOf } from '@shared/contract/templates';
import { runIdentityOf } from './template-catalog';

describe('template names', () => {
  it('derives a storage name from an ASCII title and strips .yaml from a given name', () => {
    expect(slugOf('Weekly report')).toBe('weekly_report');
    expect(normalizeTemplateName('weekly_report.yaml')).toBe('weekly_report');
    expect(normalizeTemplateName('../etc/passwd')).toBeUndefined();
  });

  it('records runs of YAML text under the storage name, or under a Japanese title as written', () => {
    expect(runIdentityOf('Weekly report')).toBe('weekly_report');
    expect(runIdentityOf('長い待機')).toBe('長い待機');
    expect(runIdentityOf(' 請求書 PDF の結合 ')).toBe('請求書 PDF の結合');
  });
});
