/** What other folders of the core may use of api/ (lint: capability folders meet only through their index.ts). */
export * from './dispatcher';
export * from './event-streams';
export * from './openapi';
export * from './static-files';
export type { WebhookReceiver } from './webhook-route';
