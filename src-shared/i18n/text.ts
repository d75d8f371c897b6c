import { en } from './en';
import { ja, type Messages } from './ja';

/**
 * Text as data: a catalogue code and its parameters. The core says what to tell a person with
 * `text('notice.approvalTitle', template)`; a host turns it into words with `translate` in the
 * language it shows. The compiler checks each code exists and its parameters fit.
 */

type Leaf = string | ((...args: never[]) => string);

/** Dotted paths of the catalogue's texts (`tray.menuHeader`); lists and tables of names are not codes. */
type CodesOf<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends Leaf ? `${P}${K}` : T[K] extends readonly unknown[] ? never : T[K] extends object ? CodesOf<T[K], `${P}${K}.`> : never;
}[keyof T & string];

export type TextCode = CodesOf<Messages>;

type At<T, C extends string> = C extends `${infer H}.${infer R}` ? (H extends keyof T ? At<T[H], R> : never) : C extends keyof T ? T[C] : never;

/** The parameters a code takes (none for a plain string). */
export type TextParams<C extends TextCode> = At<Messages, C> extends (...args: infer A) => string ? A : [];

/** What the core emits for a person to read; plain data, so it crosses IPC and logs as is. */
export interface Text<C extends TextCode = TextCode> {
  code: C;
  params: readonly unknown[];
}

export function text<C extends TextCode>(code: C, ...params: TextParams<C>): Text<C> {
  return { code, params };
}

function lookup(messages: Messages, code: string): unknown {
  let at: unknown = messages;
  for (const part of code.split('.')) at = at && typeof at === 'object' ? (at as Record<string, unknown>)[part] : undefined;
  return at;
}

export function isTextCode(code: string): code is TextCode {
  const leaf = lookup(ja, code);
  return typeof leaf === 'string' || typeof leaf === 'function';
}

/** The words of a code in a language; an unknown code (a newer core than this host) is said as itself. */
export function translate(locale: 'ja' | 'en', said: Text): string {
  const leaf = lookup(locale === 'ja' ? ja : en, said.code);
  if (typeof leaf === 'function') return String((leaf as (...args: unknown[]) => unknown)(...said.params));
  return typeof leaf === 'string' ? leaf : said.code;
}

/** "日本語 / English": for text stored once for readers of either language (an approval's message). */
export function bilingual(said: Text): string {
  return `${translate('ja', said)} / ${translate('en', said)}`;
}
