import { ListView } from '../../components/list-view';
import { useMessages } from '../../i18n/use-messages';
import { useUsersStore } from '../../stores/app-stores';

export function UsersView() {
  const t = useMessages();
  return <ListView title={t.nav.users} useViewStore={useUsersStore} />;
}
