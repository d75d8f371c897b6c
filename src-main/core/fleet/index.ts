/** core/fleet: this machine as a node of a fleet (SPEC section 16): id, name, labels, registry and heartbeat. */
export { nodeIdOf, nodeNameOf, NODE_ID_FILE } from './node-identity';
export { detectNodeLabels, missingLabels, osLabel, systemLabelProbe, DESKTOP_LABEL, BROWSER_LABEL, type LabelProbe } from './node-labels';
export { NodeRegistry, type NodeIdentity, type NodeView, type NodeRegistryOptions } from './node-registry';
export { HEARTBEAT_INTERVAL_MS, NODE_OFFLINE_AFTER_MS, NODE_STALE_AFTER_MS, nodeStateOf, type NodeState } from './node-states';
