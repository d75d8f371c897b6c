import { LineCounter, parseDocument, isMap, isSeq, isScalar, isPair, type Node } from 'yaml';

export interface SourcePosition {
  line: number;
  column: number;
}

export interface YamlSyntaxError extends SourcePosition {
  message: string;
}

export interface YamlSource {
  /** The plain JS value (undefined when the text has syntax errors). */
  value: unknown;
  syntaxErrors: YamlSyntaxError[];
  /**
   * Where a path points in the text: the key of the deepest existing node on the path
   * (so a missing field points at its parent), 1-based line and column.
   */
  locate(path: readonly (string | number)[], preferKey?: boolean): SourcePosition;
}

/** Parses YAML keeping positions, so errors can say `file:line:column`. */
export function parseYamlSource(text: string, options: { maxAliasCount?: number } = {}): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const pos = (offset: number): SourcePosition => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const syntaxErrors = doc.errors.map((e) => ({ message: e.message.split('\n')[0] ?? e.message, ...pos(e.pos[0]) }));
  let value: unknown;
  if (syntaxErrors.length === 0) {
    try {
      // maxAliasCount bounds "billion laughs" alias expansion.
      value = doc.toJS({ maxAliasCount: options.maxAliasCount ?? 100 });
    } catch (e) {
      syntaxErrors.push({ message: (e as Error).message, line: 1, column: 1 });
    }
  }

  const locate = (path: readonly (string | number)[], preferKey = true): SourcePosition => {
    let node: Node | null | undefined = doc.contents as Node | null;
    let best: SourcePosition = node?.range ? pos(node.range[0]) : { line: 1, column: 1 };
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(segment));
        if (!pair) break;
        const keyNode = pair.key as Node;
        const valueNode = pair.value as Node | null;
        if (keyNode?.range) best = pos(keyNode.range[0]);
        if (!preferKey && valueNode?.range) best = pos(valueNode.range[0]);
        node = valueNode;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment] as Node | undefined;
        if (!item) break;
        if (item.range) best = pos(item.range[0]);
        node = item;
      } else {
        break;
      }
    }
    return best;
  };

  return { value, syntaxErrors, locate };
}

/** `steps[2].pdf_merge.out` from ['steps', 2, 'pdf_merge', 'out']. */
export function formatPath(path: readonly (string | number | symbol)[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out || '(root)';
}
