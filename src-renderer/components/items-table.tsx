import { useMessages } from '../i18n/use-messages';
import { useLocaleStore } from '../stores/app-stores';
import type { ColumnKey } from '../stores/list-store';
import { formatValue } from './format';
import { Table } from './table';

export function ItemsTable({ columns, items, testId }: { columns: readonly ColumnKey[]; items: Record<string, unknown>[]; testId: string }) {
  const t = useMessages();
  const locale = useLocaleStore((s) => s.locale);
  return (
    <Table testId={testId} columns={columns.map((c) => t.columns[c])}>
      {items.map((item, i) => (
        <tr key={[item.service, item.id ?? item.name ?? item.key ?? i].join('/')}>
          {columns.map((c) => (
            <td key={c}>{formatValue(item[c], locale, t)}</td>
          ))}
        </tr>
      ))}
    </Table>
  );
}
