import { useLocaleStore } from '../stores/app-stores';
import { messagesFor, type Messages } from './index';

/** The texts of the chosen language. */
export function useMessages(): Messages {
  return messagesFor(useLocaleStore((s) => s.locale));
}
