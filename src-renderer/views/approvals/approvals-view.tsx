import { ListView } from '../../components/list-view';
import { useMessages } from '../../i18n/use-messages';
import { useApprovalsStore } from '../../stores/app-stores';

export function ApprovalsView() {
  const t = useMessages();
  return <ListView title={t.nav.approvals} useViewStore={useApprovalsStore} />;
}
