const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * Time-ordered ids (`run_` + 10 chars of time + 10 random chars, Crockford base32, lower case):
 * sortable by creation, unique without coordination.
 */
export function newId(prefix: string, now: number, random: () => number = Math.random): string {
  let t = now;
  let time = '';
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let rand = '';
  for (let i = 0; i < 10; i++) rand += ALPHABET[Math.floor(random() * 32)];
  return `${prefix}_${time}${rand}`;
}
