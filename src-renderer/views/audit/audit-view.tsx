import { ListView } from '../../components/list-view';
import { useMessages } from '../../i18n/use-messages';
import { useAuditStore } from '../../stores/app-stores';

export function AuditView() {
  const t = useMessages();
  return <ListView title={t.nav.audit} useViewStore={useAuditStore} />;
}
