import { useImperativeHandle, useMemo, useRef, useState, type Ref } from 'react';
import { lineCount, offsetOf, positionOf, type TextPosition } from './text-position';

export interface CodeEditorHandle {
  /** Puts the cursor at a line and column, scrolls it into view and focuses the editor. */
  goTo(position: TextPosition): void;
}

/** Line height of the editor in px (styles.css `.code-editor` uses the same), to scroll a line into view. */
const LINE_PX = 20;

/**
 * A monospace text editor: a plain textarea with line numbers beside it, lines with problems
 * marked in the gutter, and the cursor's line and column under it.
 */
export function CodeEditor({
  value,
  onChange,
  readOnly,
  problemLines,
  label,
  positionLabel,
  testId,
  ref,
}: {
  value: string;
  onChange: (value: string) => void;
  readOnly?: boolean;
  problemLines?: ReadonlySet<number>;
  label: string;
  positionLabel: (p: TextPosition) => string;
  testId: string;
  ref?: Ref<CodeEditorHandle>;
}) {
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const [cursor, setCursor] = useState<TextPosition>({ line: 1, column: 1 });
  const lines = useMemo(() => lineCount(value), [value]);

  const readCursor = () => {
    const el = area.current;
    if (el) setCursor(positionOf(el.value, el.selectionStart));
  };

  useImperativeHandle(ref, () => ({
    goTo(position) {
      const el = area.current;
      if (!el) return;
      const offset = offsetOf(el.value, position);
      el.focus();
      el.setSelectionRange(offset, offset);
      el.scrollTop = Math.max(0, (position.line - 1) * LINE_PX - el.clientHeight / 3);
      if (gutter.current) gutter.current.scrollTop = el.scrollTop;
      setCursor(positionOf(el.value, offset));
    },
  }));

  return (
    <div className="code-editor" data-testid={testId}>
      <div className="code-editor-body">
        <div className="code-gutter" ref={gutter} aria-hidden="true">
          {Array.from({ length: lines }, (_, i) => (
            <div key={i} className={problemLines?.has(i + 1) ? 'gutter-line problem' : 'gutter-line'}>
              {i + 1}
            </div>
          ))}
        </div>
        <textarea
          ref={area}
          className="code-text"
          value={value}
          readOnly={readOnly}
          aria-label={label}
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          wrap="off"
          onChange={(e) => {
            onChange(e.target.value);
            readCursor();
          }}
          onSelect={readCursor}
          onKeyUp={readCursor}
          onClick={readCursor}
          onScroll={(e) => {
            if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
          }}
          data-testid={`${testId}-text`}
        />
      </div>
      <p className="code-position" data-testid={`${testId}-position`} data-line={cursor.line} data-column={cursor.column}>
        {positionLabel(cursor)}
      </p>
    </div>
  );
}
