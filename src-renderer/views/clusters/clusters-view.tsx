import { ListView } from '../../components/list-view';
import { useMessages } from '../../i18n/use-messages';
import { useClustersStore } from '../../stores/app-stores';

export function ClustersView() {
  const t = useMessages();
  return <ListView title={t.nav.clusters} useViewStore={useClustersStore} />;
}
