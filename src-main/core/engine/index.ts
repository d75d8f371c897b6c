/** What other folders of the core may use of engine/ (lint: capability folders meet only through their index.ts). */
export * from './engine';
export * from './registry';
export * from './runner';
