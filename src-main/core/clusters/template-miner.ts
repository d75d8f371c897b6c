/**
 * Online template mining in the spirit of Drain (He et al., ICWS 2017): messages are masked
 * (mask.ts), routed by their token count and their leading tokens through a fixed-depth prefix
 * tree, and joined to the most similar template of their leaf when enough positions agree; a
 * joined template generalises (positions that differ become `<*>`). A cluster keeps the id it
 * was born with, so ids stay stable while templates generalise and across restarts (restore()).
 *
 * Pure: no I/O, no clock. Memory is bounded by the number of templates (maxClusters) and the
 * exact-match cache (cacheSize), not by the number of lines.
 */
import { WILDCARD, maskMessage } from './mask';

export interface MinedCluster {
  /** `AUTO_` + a hash of the template the cluster was born with. */
  id: string;
  tokens: string[];
  /** Messages joined so far (since this miner was created or restored). */
  size: number;
}

export interface MinerOptions {
  /** Leading tokens used for routing (Drain's depth − 2). */
  prefixTokens?: number;
  /** Share of positions that must agree to join a template. */
  similarity?: number;
  /** Children per tree node before new tokens share the wildcard child (Drain's maxChild). */
  maxChildren?: number;
  maxClusters?: number;
  cacheSize?: number;
}

export interface MineResult {
  cluster: MinedCluster;
  /** The cluster is new, or its template generalised. */
  changed: boolean;
  created: boolean;
}

interface TreeNode {
  children: Map<string, TreeNode>;
  clusters: MinedCluster[];
}

const DEFAULTS: Required<MinerOptions> = {
  prefixTokens: 2,
  similarity: 0.8,
  maxChildren: 64,
  maxClusters: 50_000,
  cacheSize: 100_000,
};

/** FNV-1a, 32 bits, as 8 hex digits: short stable cluster ids, not a security hash. */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

export function templateText(tokens: readonly string[]): string {
  return tokens.join(' ');
}

function newNode(): TreeNode {
  return { children: new Map(), clusters: [] };
}

/** Positions where the template and the message agree (a template wildcard agrees with anything). */
function agreement(template: readonly string[], message: readonly string[]): number {
  let same = 0;
  for (let i = 0; i < template.length; i++) {
    if (template[i] === message[i] || template[i] === WILDCARD) same++;
  }
  return same;
}

export class TemplateMiner {
  private readonly opts: Required<MinerOptions>;
  private readonly root = newNode();
  private readonly byId = new Map<string, MinedCluster>();
  /** Masked text → cluster, for the messages seen most (the common case costs one lookup). */
  private cache = new Map<string, MinedCluster>();

  constructor(options: MinerOptions = {}) {
    this.opts = { ...DEFAULTS, ...options };
  }

  get clusterCount(): number {
    return this.byId.size;
  }

  clusters(): IterableIterator<MinedCluster> {
    return this.byId.values();
  }

  /** Brings back clusters mined earlier (persisted templates), keeping their ids. */
  restore(saved: readonly { id: string; template: string; size?: number }[]): void {
    for (const s of saved) {
      if (this.byId.has(s.id)) continue;
      const cluster: MinedCluster = { id: s.id, tokens: s.template.split(' '), size: s.size ?? 0 };
      this.leafFor(cluster.tokens, true).clusters.push(cluster);
      this.byId.set(cluster.id, cluster);
    }
  }

  /** Masks and mines one message. */
  add(message: string): MineResult {
    return this.addTokens(maskMessage(message));
  }

  addTokens(tokens: string[]): MineResult {
    const key = templateText(tokens);
    const hit = this.cache.get(key);
    if (hit && hit.tokens.length === tokens.length && agreement(hit.tokens, tokens) === tokens.length) {
      hit.size++;
      return { cluster: hit, changed: false, created: false };
    }
    const leaf = this.leafFor(tokens, true);
    const best = this.bestMatch(leaf, tokens);
    let result: MineResult;
    if (best) {
      const changed = this.generalise(best, tokens);
      best.size++;
      result = { cluster: best, changed, created: false };
    } else {
      const cluster = this.create(tokens, key);
      leaf.clusters.push(cluster);
      result = { cluster, changed: true, created: true };
    }
    this.remember(key, result.cluster);
    return result;
  }

  /** The cluster a message would join, without changing anything. */
  match(message: string): MinedCluster | undefined {
    const tokens = maskMessage(message);
    const leaf = this.leafFor(tokens, false);
    return leaf ? this.bestMatch(leaf, tokens) : undefined;
  }

  private create(tokens: string[], key: string): MinedCluster {
    let id = `AUTO_${shortHash(key)}`;
    for (let n = 2; this.byId.has(id); n++) id = `AUTO_${shortHash(`${key}#${n}`)}`;
    const cluster: MinedCluster = { id, tokens: tokens.slice(), size: 1 };
    if (this.byId.size >= this.opts.maxClusters) this.evictSmallest();
    this.byId.set(id, cluster);
    return cluster;
  }

  private bestMatch(leaf: TreeNode, tokens: readonly string[]): MinedCluster | undefined {
    const n = tokens.length;
    if (n === 0) return leaf.clusters[0];
    let best: MinedCluster | undefined;
    let bestScore = -1;
    for (const c of leaf.clusters) {
      const score = agreement(c.tokens, tokens);
      if (score > bestScore) {
        best = c;
        bestScore = score;
      }
    }
    return best && bestScore / n >= this.opts.similarity ? best : undefined;
  }

  private generalise(cluster: MinedCluster, tokens: readonly string[]): boolean {
    let changed = false;
    for (let i = 0; i < cluster.tokens.length; i++) {
      if (cluster.tokens[i] !== WILDCARD && cluster.tokens[i] !== tokens[i]) {
        cluster.tokens[i] = WILDCARD;
        changed = true;
      }
    }
    return changed;
  }

  /** Token count first, then the leading tokens (a token with a wildcard routes to `<*>`). */
  private leafFor(tokens: readonly string[], create: true): TreeNode;
  private leafFor(tokens: readonly string[], create: false): TreeNode | undefined;
  private leafFor(tokens: readonly string[], create: boolean): TreeNode | undefined {
    let node = this.step(this.root, String(tokens.length), create, false);
    const depth = Math.min(this.opts.prefixTokens, tokens.length);
    for (let i = 0; node && i < depth; i++) {
      const t = tokens[i];
      node = this.step(node, t.includes(WILDCARD) ? WILDCARD : t, create, true);
    }
    return node;
  }

  private step(node: TreeNode, key: string, create: boolean, bounded: boolean): TreeNode | undefined {
    const found = node.children.get(key);
    if (found) return found;
    if (bounded && node.children.size >= this.opts.maxChildren) key = WILDCARD;
    const shared = node.children.get(key);
    if (shared || !create) return shared;
    const child = newNode();
    node.children.set(key, child);
    return child;
  }

  private remember(key: string, cluster: MinedCluster): void {
    if (this.cache.size >= this.opts.cacheSize) this.cache = new Map();
    this.cache.set(key, cluster);
  }

  private evictSmallest(): void {
    let smallest: MinedCluster | undefined;
    for (const c of this.byId.values()) if (!smallest || c.size < smallest.size) smallest = c;
    if (!smallest) return;
    this.byId.delete(smallest.id);
    const leaf = this.leafFor(smallest.tokens, false);
    if (leaf) leaf.clusters = leaf.clusters.filter((c) => c !== smallest);
    this.cache = new Map();
  }
}
