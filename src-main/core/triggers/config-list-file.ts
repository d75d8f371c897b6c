import { isMap, isSeq, parseDocument, type Document, type YAMLMap, type YAMLSeq } from 'yaml';

/**
 * Edits the list of schedules.yaml, watchers.yaml or webhooks.yaml the way a person would: the
 * yaml Document API changes only the entry touched, so comments and layout elsewhere stay
 * (SPEC section 2: what the API creates is written back to the file).
 */
export type ListEdit =
  | { op: 'add'; item: Record<string, unknown> }
  | { op: 'update'; id: string; set: Record<string, unknown>; unset?: string[] }
  | { op: 'remove'; id: string };

function listOf(doc: Document, key: string): YAMLSeq {
  const node = doc.get(key, true);
  if (isSeq(node)) {
    node.flow = false;
    return node;
  }
  const seq = doc.createNode([]) as YAMLSeq;
  doc.set(key, seq);
  return seq;
}

function indexOf(seq: YAMLSeq, id: string): number {
  return seq.items.findIndex((item) => isMap(item) && String((item as YAMLMap).get('id')) === id);
}

/** Applies an edit to the file's text; returns the new text, or undefined when the id is not there. */
export function editConfigList(text: string, key: string, edit: ListEdit): string | undefined {
  const doc = parseDocument(text.trim() ? text : `${key}: []\n`);
  const seq = listOf(doc, key);
  if (edit.op === 'add') {
    seq.items.push(doc.createNode(edit.item));
  } else {
    const i = indexOf(seq, edit.id);
    if (i < 0) return undefined;
    if (edit.op === 'remove') seq.items.splice(i, 1);
    else {
      const map = seq.items[i] as YAMLMap;
      for (const [k, v] of Object.entries(edit.set)) map.set(k, doc.createNode(v));
      for (const k of edit.unset ?? []) map.delete(k);
    }
  }
  return doc.toString({ lineWidth: 0 });
}
