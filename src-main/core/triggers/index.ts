/** What other folders of the core may use of triggers/ (lint: capability folders meet only through their index.ts). */
export * from './scheduler/scheduler-module';
export * from './webhook/webhook-module';
export * from './watcher/watcher-module';
