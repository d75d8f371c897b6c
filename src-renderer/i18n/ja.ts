/** The Japanese texts live in the shared catalogue (src-shared/i18n), which the hosts use too. */
export { ja, type Messages } from '@shared/i18n/ja';
