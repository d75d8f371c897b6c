/** What other folders of the core may use of queue/ (lint: capability folders meet only through their index.ts). */
export * from './depth-figures';
export * from './ports';
export * from './queue-module';
