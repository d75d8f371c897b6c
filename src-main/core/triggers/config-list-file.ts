import { isMap, isSeq, parseDocument, type Document, type YAMLMap, type YAMLSeq } from 'yaml';
import type { ConfigFileName } from '@shared/config';
import type { ConfigStore } from '../config';
import { AppError, notFound } from '../kernel/errors';

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

/**
 * Writes one edit of a trigger file back through the config store (validated, atomic, listeners
 * told, so the module reloads); an unknown id is 404, a file the edit would break is 400.
 */
export function configListWriter(config: Pick<ConfigStore, 'readText' | 'writeText'>, file: ConfigFileName, key: string, what: string): (edit: ListEdit) => void {
  return (edit) => {
    const text = editConfigList(config.readText(file), key, edit);
    if (text === undefined) throw notFound(`${what} '${'id' in edit ? edit.id : ''}'`);
    try {
      config.writeText(file, text);
    } catch (e) {
      throw new AppError('VALIDATION_ERROR', `${file} would be invalid: ${(e as Error).message}`);
    }
  };
}
