import type { ReactNode } from 'react';

/** A header cell; `false` or null leaves the column out (one a role may not use). */
export type TableColumn = string | false | null;

/** The app's tables: a scrolling wrapper, one header row, the rows the caller renders. */
export function Table({ testId, columns, children }: { testId: string; columns: readonly TableColumn[]; children: ReactNode }) {
  return (
    <div className="table-wrap">
      <table data-testid={testId}>
        <thead>
          <tr>
            {columns.map((c, i) =>
              c === false || c === null ? null : (
                <th key={i} scope="col">
                  {c}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
