/** The English texts live in the shared catalogue (src-shared/i18n), which the hosts use too. */
export { en } from '@shared/i18n/en';
