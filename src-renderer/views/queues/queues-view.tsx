import { ListView } from '../../components/list-view';
import { useMessages } from '../../i18n/use-messages';
import { useQueuesStore } from '../../stores/app-stores';

export function QueuesView() {
  const t = useMessages();
  return <ListView title={t.nav.queues} useViewStore={useQueuesStore} />;
}
