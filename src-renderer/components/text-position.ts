/** A place in a text as editors and the template validator count it: 1-based line and column. */
export interface TextPosition {
  line: number;
  column: number;
}

/**
 * The offset of a line and column in a text (what `setSelectionRange` takes). A line past the end
 * is the end of the text; a column past the end of its line is the end of that line.
 */
export function offsetOf(text: string, { line, column }: TextPosition): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) return text.length;
    offset = nl + 1;
  }
  const end = text.indexOf('\n', offset);
  const lineEnd = end < 0 ? text.length : end;
  return Math.min(offset + Math.max(0, column - 1), lineEnd);
}

/** The line and column of an offset. */
export function positionOf(text: string, offset: number): TextPosition {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lastNl = before.lastIndexOf('\n');
  return { line: before.split('\n').length, column: before.length - lastNl };
}

/** How many lines a text has (an empty text has one). */
export function lineCount(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
