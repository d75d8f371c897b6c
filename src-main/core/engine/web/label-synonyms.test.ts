import { describe, expect, it } from 'vitest';
import { labelCandidates, LABEL_SYNONYMS, normalizeLabel } from './label-synonyms';

describe('normalizeLabel', () => {
  it('ignores width, case, spacing, colons and required/optional markers', () => {
    expect(normalizeLabel('お名前 必須')).toBe('お名前');
    expect(normalizeLabel('メールアドレス（必須）')).toBe('メールアドレス');
    expect(normalizeLabel('ＥＭＡＩＬ：')).toBe('email');
    expect(normalizeLabel('  Name *  ')).toBe('name');
    expect(normalizeLabel('* 件名')).toBe('件名');
    expect(normalizeLabel('電話番号【任意】')).toBe('電話番号');
    expect(normalizeLabel('Subject (required):')).toBe('subject');
  });

  it('keeps words that only look like markers inside the label', () => {
    expect(normalizeLabel('必須項目の説明')).toBe('必須項目の説明');
  });
});

describe('labelCandidates', () => {
  it('puts the template word first, then the rest of its SPEC synonym group', () => {
    expect(labelCandidates('名前').slice(0, 4)).toEqual(['名前', '氏名', 'お名前', 'Name']);
    expect(labelCandidates('メール').slice(0, 3)).toEqual(['メール', 'メールアドレス', 'Email']);
    expect(labelCandidates('タイトル').slice(0, 3)).toEqual(['タイトル', '件名', 'Subject']);
    expect(labelCandidates('本文').slice(0, 3)).toEqual(['本文', 'メッセージ', 'Message']);
    expect(labelCandidates('EMAIL')).toContain('メールアドレス');
  });

  it('returns only the word itself when it is in no group, and takes an extended table', () => {
    expect(labelCandidates('社員番号')).toEqual(['社員番号']);
    expect(labelCandidates('社員番号', [...LABEL_SYNONYMS, ['社員番号', '従業員番号', 'Employee ID']])).toEqual(['社員番号', '従業員番号', 'Employee ID']);
  });

  it('has the SPEC groups', () => {
    for (const group of [
      ['氏名', '名前', 'お名前', 'Name'],
      ['メール', 'メールアドレス', 'Email'],
      ['件名', 'Subject', 'タイトル'],
      ['本文', 'メッセージ', 'Message'],
    ]) {
      expect(LABEL_SYNONYMS.some((g) => group.every((w) => g.includes(w)))).toBe(true);
    }
  });
});
