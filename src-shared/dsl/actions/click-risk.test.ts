import { describe, expect, it } from 'vitest';
import { clickRisk } from './click-risk';

describe('clickRisk', () => {
  it('rates sending, committing, deleting and paying as high (SPEC section 9)', () => {
    for (const text of ['送信', '送信する', '確定', '削除', '購入手続きへ', 'Submit', 'Delete account', 'Purchase', 'ＳＵＢＭＩＴ']) {
      expect(clickRisk(text)?.level, text).toBe('high');
    }
  });

  it('rates saving as medium, ordinary navigation as none, and run-time texts as medium', () => {
    expect(clickRisk('保存')).toMatchObject({ level: 'medium', reason: "clicks '保存' (保存)" });
    expect(clickRisk('次へ')).toBeUndefined();
    expect(clickRisk('Submitted items')).toBeUndefined();
    expect(clickRisk('{{button_text}}')).toMatchObject({ level: 'medium' });
  });
});
