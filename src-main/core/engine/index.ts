/** What other folders of the core may use of engine/ (lint: capability folders meet only through their index.ts). */
export * from './engine';
export * from './registry';
export * from './runner';
/** What a fleet node's labels are found with (core/fleet): the display check and browser discovery the actions use. */
export { parseDisplay, reachable as xServerReachable, type XTarget } from './desktop/preflight';
export { resolveBrowser, type BrowserChannel } from './web/browser-discovery';
