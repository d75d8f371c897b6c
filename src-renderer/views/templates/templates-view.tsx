import { ListView } from '../../components/list-view';
import { useMessages } from '../../i18n/use-messages';
import { useTemplatesStore } from '../../stores/app-stores';

export function TemplatesView() {
  const t = useMessages();
  return <ListView title={t.nav.templates} useViewStore={useTemplatesStore} />;
}
