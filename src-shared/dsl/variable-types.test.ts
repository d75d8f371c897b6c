import { describe, expect, it } from 'vitest';
import { coerceToDeclared, declaredType, typedVariables } from './variable-types';

describe('variables keep their declared type', () => {
  it('reads the type from the default', () => {
    expect(['1', 1, true, [1], { a: 1 }, null].map(declaredType)).toEqual(['text', 'number', 'boolean', 'list', 'object', 'any']);
  });

  it('converts where nothing is lost and says why where it cannot', () => {
    expect(coerceToDeclared('text', 1)).toEqual({ ok: true, value: '1' });
    expect(coerceToDeclared('number', ' 2.5 ')).toEqual({ ok: true, value: 2.5 });
    expect(coerceToDeclared('boolean', 'false')).toEqual({ ok: true, value: false });
    expect(coerceToDeclared('list', '["a"]')).toEqual({ ok: true, value: ['a'] });
    expect(coerceToDeclared('object', { a: 1 })).toEqual({ ok: true, value: { a: 1 } });
    expect(coerceToDeclared('any', 7)).toEqual({ ok: true, value: 7 });
    expect(coerceToDeclared('number', 'three')).toEqual({ ok: false, message: 'expected a number (its default is a number), got the text "three"' });
    expect(coerceToDeclared('text', ['a'])).toEqual({ ok: false, message: 'expected a text (its default is a text), got a list' });
    expect(coerceToDeclared('boolean', 'yes').ok).toBe(false);
    expect(coerceToDeclared('list', 'a,b').ok).toBe(false);
  });

  it('merges defaults and given values; undeclared names pass as given', () => {
    expect(typedVariables({ summary_pages: '1', n: 2, must: null }, { summary_pages: 1, must: 'x', extra: 5 })).toEqual({
      variables: { summary_pages: '1', n: 2, must: 'x', extra: 5 },
      problems: [],
    });
    expect(typedVariables({ n: 2 }, { n: 'many' }).problems).toEqual([{ name: 'n', message: 'expected a number (its default is a number), got the text "many"' }]);
  });
});
