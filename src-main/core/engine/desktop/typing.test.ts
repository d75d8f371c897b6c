import { describe, expect, it } from 'vitest';
import { typingMethod } from './typing';

describe('typingMethod', () => {
  it('types letters, digits and unshifted punctuation by keyboard, and pastes everything else', () => {
    expect(typingMethod('Hello, world 123\n\tpath/to-file.txt')).toBe('keyboard');
    expect(typingMethod('こんにちは')).toBe('clipboard');
    expect(typingMethod('user@example.com')).toBe('clipboard');
    expect(typingMethod('Price: $5!')).toBe('clipboard');
  });
});
