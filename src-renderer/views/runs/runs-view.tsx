import { ListView } from '../../components/list-view';
import { useMessages } from '../../i18n/use-messages';
import { useRunsStore } from '../../stores/app-stores';

export function RunsView() {
  const t = useMessages();
  return <ListView title={t.nav.runs} useViewStore={useRunsStore} />;
}
