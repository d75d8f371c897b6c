/** What other folders of the core may use of system/ (lint: capability folders meet only through their index.ts). */
export * from './system-module';
