/**
 * Label synonyms for fill_by_label and upload_file (SPEC section 3). A template says 名前 and the
 * form says お名前 (or Name): every word of a group stands for the others. To support another
 * kind of field, add a group; to teach a group a new word, add it to the list. Matching is on
 * normalised text (see normalizeLabel), so width, case and trailing 必須 / * / ： do not matter.
 */
export const LABEL_SYNONYMS: readonly (readonly string[])[] = [
  ['氏名', '名前', 'お名前', 'Name', 'フルネーム', 'Full name', 'Your name'],
  ['メール', 'メールアドレス', 'Email', 'E-mail', 'Eメール', 'Mail', 'Email address'],
  ['件名', 'Subject', 'タイトル', 'Title', '用件'],
  ['本文', 'メッセージ', 'Message', 'お問い合わせ内容', '内容', 'Body', 'Comment', 'コメント'],
  ['電話番号', '電話', 'Phone', 'Telephone', 'Tel'],
  ['会社名', '御社名', '貴社名', 'Company', 'Company name', 'Organization'],
  ['住所', 'ご住所', 'Address'],
  ['パスワード', 'Password'],
  ['ユーザー名', 'ユーザーID', 'ログインID', 'Username', 'User name', 'User ID', 'Login ID'],
];

/** Markers forms add to labels that say nothing about the field. */
const DECORATION = /(?:\s*(?:\*|※|必須|任意|\(必須\)|\(任意\)|\[必須\]|\[任意\]|【必須】|【任意】|\(required\)|required|\(optional\)|optional)\s*)+$/i;

/** NFKC (full-width → half-width), collapsed spaces, no trailing colon or required/optional markers, lower case. */
export function normalizeLabel(text: string): string {
  let s = text.normalize('NFKC').replace(/\s+/g, ' ').trim();
  for (let previous = ''; previous !== s; ) {
    previous = s;
    s = s.replace(/[:]\s*$/, '').replace(DECORATION, '').replace(/^\s*[*※]\s*/, '').trim();
  }
  return s.toLowerCase();
}

/** The label itself first, then the other words of its group (in table order), deduplicated. */
export function labelCandidates(label: string, table: readonly (readonly string[])[] = LABEL_SYNONYMS): string[] {
  const wanted = normalizeLabel(label);
  const out = [label];
  const seen = new Set([wanted]);
  for (const group of table) {
    if (!group.some((word) => normalizeLabel(word) === wanted)) continue;
    for (const word of group) {
      const n = normalizeLabel(word);
      if (!seen.has(n)) {
        seen.add(n);
        out.push(word);
      }
    }
  }
  return out;
}
