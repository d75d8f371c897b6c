/** Row geometry of the audit table: fixed rows, and an expanded row as tall as its details (up to a cap, then it scrolls). */
export const AUDIT_ROW_HEIGHT = 34;
export const DETAILS_LINE_HEIGHT = 18;
export const DETAILS_MAX_LINES = 14;
const DETAILS_PADDING = 16;

/** The details of an entry as shown when expanded: indented JSON. */
export function detailsText(details: Record<string, unknown> | null): string {
  return details ? JSON.stringify(details, null, 2) : '';
}

export function auditRowHeight(details: Record<string, unknown> | null, expanded: boolean): number {
  if (!expanded || !details) return AUDIT_ROW_HEIGHT;
  const lines = detailsText(details).split('\n').length;
  return AUDIT_ROW_HEIGHT + Math.min(lines, DETAILS_MAX_LINES) * DETAILS_LINE_HEIGHT + DETAILS_PADDING;
}
