import { describe, expect, it } from 'vitest';
import { en } from '../../i18n/en';
import { ja } from '../../i18n/ja';
import { cronInWords } from './cron-words';

describe('cron in words', () => {
  it('tells the common shapes in English and Japanese, and shows any other cron as written', () => {
    const cases: [string, string, string][] = [
      ['* * * * * *', 'every second', '毎秒'],
      ['* * * * *', 'every minute', '毎分'],
      ['*/15 * * * *', 'every 15 minutes', '15 分ごと'],
      ['5 * * * *', 'every hour at :05', '毎時 05 分'],
      ['0 9 * * *', 'at 09:00 every day', '毎日 09:00'],
      ['@daily', 'at 00:00 every day', '毎日 00:00'],
      ['0 2 * * 0', 'at 02:00 on Sun', '毎週 日曜日 02:00'],
      ['30 8,17 1,15 * *', 'at 08:30, 17:30 on day 1, 15 of the month', '毎月 1・15 日 08:30・17:30'],
      ['0 9 * 1,7 mon-fri', 'at 09:00 on Mon, Tue, Wed, Thu, Fri in Jan, Jul', '毎週 月・火・水・木・金曜日 1・7 月 09:00'],
      ['7-9 */2 * * *', '7-9 */2 * * *', '7-9 */2 * * *'],
      ['not a cron', 'not a cron', 'not a cron'],
    ];
    for (const [cron, english, japanese] of cases) {
      expect(cronInWords(cron, en.triggers.cron), cron).toBe(english);
      expect(cronInWords(cron, ja.triggers.cron), cron).toBe(japanese);
    }
  });
});
