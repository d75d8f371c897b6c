/** What other folders of the core may use of templates/ (lint: capability folders meet only through their index.ts). */
export * from './templates-module';
