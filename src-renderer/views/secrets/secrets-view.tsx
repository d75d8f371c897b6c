import { ListView } from '../../components/list-view';
import { useMessages } from '../../i18n/use-messages';
import { useSecretsStore } from '../../stores/app-stores';

export function SecretsView() {
  const t = useMessages();
  return <ListView title={t.nav.secrets} useViewStore={useSecretsStore} />;
}
