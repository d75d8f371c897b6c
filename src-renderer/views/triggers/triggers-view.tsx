import { ListView } from '../../components/list-view';
import { useMessages } from '../../i18n/use-messages';
import { useTriggersStore } from '../../stores/app-stores';

export function TriggersView() {
  const t = useMessages();
  return <ListView title={t.nav.triggers} useViewStore={useTriggersStore} />;
}
