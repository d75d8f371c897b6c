import { describe, expect, it } from 'vitest';
import { CATALOGUE, bilingual, isTextCode, text, translate } from './index';

type Tree = { [key: string]: unknown };

/** Every code of a language with its kind: 'text' (string or function) or 'names' (a list or table). */
function codes(tree: Tree, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(tree)) {
    const code = `${prefix}${key}`;
    if (typeof value === 'string' || typeof value === 'function' || Array.isArray(value)) out.set(code, value);
    else if (value && typeof value === 'object') for (const [c, v] of codes(value as Tree, `${code}.`)) out.set(c, v);
  }
  return out;
}

const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;
const sample = (leaf: unknown) => (typeof leaf === 'function' ? String((leaf as (...a: unknown[]) => unknown)(...Array<number>(leaf.length).fill(2))) : String(leaf));

describe('the one ja/en catalogue', () => {
  const ja = codes(CATALOGUE.ja as unknown as Tree);
  const en = codes(CATALOGUE.en as unknown as Tree);

  it('has every code in both languages, of the same kind and arity, none empty', () => {
    expect([...en.keys()].sort()).toEqual([...ja.keys()].sort());
    for (const [code, jaLeaf] of ja) {
      const enLeaf = en.get(code);
      expect(typeof enLeaf, code).toBe(typeof jaLeaf);
      if (typeof jaLeaf === 'function') expect((enLeaf as () => string).length, code).toBe(jaLeaf.length);
      else expect([String(jaLeaf).trim(), String(enLeaf).trim()], code).not.toContain('');
    }
    expect(ja.size).toBeGreaterThan(500);
  });

  it('says the hosts’ texts (notices, tray, approval page) in Japanese in Japanese', () => {
    // Names and data only: the product's name, and a run id with the run's own error.
    const notWords = new Set(['notice.runFailedBody']);
    const hostCodes = [...ja.keys()].filter((c) => /^(notice|tray|approvalPage|hitl)\./.test(c) && !notWords.has(c));
    expect(hostCodes.length).toBeGreaterThan(40);
    for (const code of hostCodes) expect(sample(ja.get(code)), code).toMatch(JAPANESE);
  });

  it('translates a code with its parameters, and says an unknown code as itself', () => {
    expect(translate('ja', text('tray.menuItem', 'invoice_send', 90 * 60_000))).toBe('invoice_send（あと 1 時間 30 分）');
    expect(translate('en', text('tray.menuItem', 'invoice_send', 90 * 60_000))).toBe('invoice_send (1 h 30 min left)');
    expect(translate('en', text('tray.tooltip', 1))).toBe('Desktop Agent — 1 approval waiting for you');
    expect(translate('ja', text('nav.runs'))).toBe('実行');
    expect(bilingual(text('approvalPage.statuses.pending'))).toBe('承認待ち / Waiting for a decision');
    expect(isTextCode('notice.approvalTitle')).toBe(true);
    expect(isTextCode('notice')).toBe(false);
    expect(isTextCode('notice.nope')).toBe(false);
    expect(translate('ja', { code: 'notice.fromANewerCore', params: [] } as never)).toBe('notice.fromANewerCore');
  });

  it('checks a code and its parameters at compile time', () => {
    // @ts-expect-error: no such code
    text('notice.nope');
    // @ts-expect-error: tray.menuItem takes a template and the time left
    text('tray.menuItem', 'invoice_send');
    // @ts-expect-error: a plain string takes no parameters
    text('notice.open', 1);
    expect(text('notice.open')).toEqual({ code: 'notice.open', params: [] });
  });
});
