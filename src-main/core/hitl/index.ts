/** What other folders of the core may use of hitl/ (lint: capability folders meet only through their index.ts). */
export * from './approvals';
export * from './approvals-module';
