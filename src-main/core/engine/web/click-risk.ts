/** The click risk words live with the web action specs (src-shared), so validation and the pre-run check share them. */
export { CLICK_RISK_WORDS, clickRisk } from '@shared/dsl/actions/click-risk';
