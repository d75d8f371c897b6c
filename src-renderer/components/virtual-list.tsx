import { useEffect, useLayoutEffect, useMemo, useRef, useState, type Key, type ReactNode } from 'react';
import { rowOffsets, visibleRange } from './window-range';

export interface VirtualListProps {
  count: number;
  /** Each row's height in px; known up front (fixed rows, expanded ones taller). Memoize it. */
  heightOf: (index: number) => number;
  rowKey: (index: number) => Key;
  renderRow: (index: number) => ReactNode;
  /** Column headers, kept at the top while the rows scroll, laid out by `gridClass` like the rows. */
  columns?: readonly string[];
  gridClass?: string;
  testId?: string;
  label?: string;
  className?: string;
}

/**
 * A scrolling box that renders only the rows in view (plus a few either side), so a list of
 * thousands of rows costs what a screenful does. Rows are absolutely placed at their offsets inside
 * a body as tall as all rows together, which keeps the scroll bar honest.
 */
export function VirtualList({ count, heightOf, rowKey, renderRow, columns, gridClass, testId, label, className }: VirtualListProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  const frame = useRef<number | undefined>(undefined);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    setViewport(el.clientHeight);
    const observer = new ResizeObserver(() => setViewport(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  useEffect(() => () => cancelAnimationFrame(frame.current ?? 0), []);

  const offsets = useMemo(() => rowOffsets(count, heightOf), [count, heightOf]);
  const { start, end } = visibleRange(offsets, scrollTop, viewport);
  const rows: ReactNode[] = [];
  for (let i = start; i < end; i++) {
    rows.push(
      <div key={rowKey(i)} className="vrow" role="row" aria-rowindex={i + 2} style={{ top: offsets[i], height: offsets[i + 1]! - offsets[i]! }}>
        {renderRow(i)}
      </div>,
    );
  }

  return (
    <div
      ref={scroller}
      className={`vlist ${className ?? ''}`}
      role="table"
      aria-label={label}
      aria-rowcount={count + 1}
      data-testid={testId}
      data-rendered-rows={end - start}
      onScroll={(e) => {
        const top = e.currentTarget.scrollTop;
        cancelAnimationFrame(frame.current ?? 0);
        frame.current = requestAnimationFrame(() => setScrollTop(top));
      }}
    >
      {columns ? (
        <div className="vhead" role="rowgroup">
          <div className={`vrow ${gridClass ?? ''}`} role="row" aria-rowindex={1}>
            {columns.map((h) => (
              <span key={h} role="columnheader">
                {h}
              </span>
            ))}
          </div>
        </div>
      ) : null}
      <div className="vbody" role="rowgroup" style={{ height: offsets[count] }}>
        {rows}
      </div>
    </div>
  );
}
