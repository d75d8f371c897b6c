import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROCEDURES } from '@shared/contract';
import { packageInfo } from '../core/kernel/package-root';
import { renderApiMarkdown } from './api-doc';

const file = join(packageInfo().root, 'docs', 'api.md');
writeFileSync(file, renderApiMarkdown(PROCEDURES));
console.log(`wrote ${file}`);
