import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listTree } from './secrets-core';

/**
 * What a secret must never be found as (issue 21): the value, every text the template filters can
 * make of it, and the encoded forms of each (base64, base64url, URL component, form-encoded). Texts
 * shorter than `minLength` are left out: they would be found in unrelated bytes by chance.
 */
export function derivedForms(value: string, minLength = 6, replacements: readonly [string, string][] = [['3', '3 ']]): string[] {
  const base = (p: string) => p.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? '';
  const dir = (p: string) => {
    const t = p.replace(/[\\/]+$/, '');
    const i = Math.max(t.lastIndexOf('/'), t.lastIndexOf('\\'));
    return i <= 0 ? '' : t.slice(0, i);
  };
  const texts = [value, value.toUpperCase(), value.toLowerCase(), JSON.stringify(value), base(value), dir(value), ...replacements.map(([from, to]) => value.split(from).join(to))];
  const forms = texts.flatMap((t) => [
    t,
    Buffer.from(t).toString('base64'),
    Buffer.from(t).toString('base64url'),
    encodeURIComponent(t),
    new URLSearchParams({ q: t }).toString().slice(2),
  ]);
  return [...new Set(forms)].filter((f) => f.length >= minLength);
}

/** The needles found in a text. */
export function found(text: string, needles: readonly string[]): string[] {
  return needles.filter((n) => text.includes(n));
}

/** Files under dir (relative paths, names included) that hold any needle, as UTF-8 or UTF-16 bytes. */
export function filesHolding(dir: string, needles: readonly string[]): string[] {
  const bytes = needles.flatMap((n) => [Buffer.from(n, 'utf8'), Buffer.from(n, 'utf16le')]);
  return listTree(dir).filter((rel) => {
    if (needles.some((n) => rel.includes(n))) return true;
    const content = readFileSync(join(dir, rel));
    return bytes.some((b) => content.includes(b));
  });
}
