import { describe, expect, it } from 'vitest';
import { labelsFound, matchField, type FrameScan } from './field-resolver';
import type { ScannedField } from './page-scripts';

const field = (sources: ScannedField['sources'], extra: Partial<ScannedField> = {}): ScannedField => ({
  tag: 'input',
  type: 'text',
  name: '',
  id: '',
  visible: true,
  disabled: false,
  shadow: false,
  sources,
  ...extra,
});

describe('matchField', () => {
  const form: FrameScan[] = [
    {
      frameIndex: 0,
      fields: [
        field([{ strategy: 'label', text: 'お名前（フリガナ）' }]),
        field([{ strategy: 'label', text: 'お名前 必須' }]),
        field([{ strategy: 'placeholder', text: 'メールアドレス' }]),
        field([{ strategy: 'nearby-text', text: 'お問い合わせ内容' }], { tag: 'textarea' }),
        field([{ strategy: 'label', text: '件名' }], { visible: false }),
        field([{ strategy: 'aria-label', text: '件名' }]),
      ],
    },
    { frameIndex: 1, fields: [field([{ strategy: 'label', text: 'Email' }])] },
  ];

  it('prefers an exact synonym over a partial match of the word itself', () => {
    expect(matchField(form, '名前', 'fill')).toMatchObject({ index: 1, strategy: 'label', term: 'お名前', match: 'exact', matchedLabel: 'お名前 必須' });
  });

  it('prefers the template word over its synonyms, and label over placeholder', () => {
    expect(matchField(form, 'メール', 'fill')).toMatchObject({ frameIndex: 0, index: 2, strategy: 'placeholder', term: 'メールアドレス' });
    expect(matchField(form, 'Email', 'fill')).toMatchObject({ frameIndex: 1, index: 0, strategy: 'label', term: 'Email' });
  });

  it('skips hidden and disabled fields', () => {
    expect(matchField(form, 'タイトル', 'fill')).toMatchObject({ index: 5, strategy: 'aria-label' });
  });

  it('falls back to a partial match, but never for a one-character word', () => {
    expect(matchField(form, 'フリガナ', 'fill')).toMatchObject({ index: 0, match: 'partial' });
    expect(matchField([{ frameIndex: 0, fields: [field([{ strategy: 'label', text: '姓名' }])] }], '姓', 'fill')).toBeUndefined();
  });

  it('counts the fields that matched at the winning rank', () => {
    const twins: FrameScan[] = [{ frameIndex: 0, fields: [field([{ strategy: 'label', text: '住所' }]), field([{ strategy: 'label', text: '住所' }])] }];
    expect(matchField(twins, '住所', 'fill')).toMatchObject({ index: 0, candidates: 2 });
  });

  it('lists what it found when nothing matches', () => {
    expect(matchField(form, '住所', 'fill')).toBeUndefined();
    expect(labelsFound(form, 'fill')).toEqual(['お名前（フリガナ）', 'お名前 必須', 'メールアドレス', 'お問い合わせ内容', '件名', 'Email']);
    expect(labelsFound([{ frameIndex: 0, fields: [field([], { name: 'zip' })] }], 'fill')).toEqual(['(no label; name=zip)']);
  });
});
