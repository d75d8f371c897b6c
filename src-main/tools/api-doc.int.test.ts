import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROCEDURES } from '@shared/contract';
import { REPO_ROOT } from '../../test-support/temp-core';
import { renderApiMarkdown } from './api-doc';

describe('docs/api.md', () => {
  it('matches the contract (run `npm run docs:api` after changing a procedure)', () => {
    expect(readFileSync(join(REPO_ROOT, 'docs', 'api.md'), 'utf8')).toBe(renderApiMarkdown(PROCEDURES));
  });
});
