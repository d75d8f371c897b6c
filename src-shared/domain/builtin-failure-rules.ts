/**
 * The built-in failure rules (SPEC section 10), written against the errors our own actions
 * produce: an error's stable code (engine/errors.ts, the actions, the runner, the queue) claims
 * it first; the patterns catch the same failures from their message alone (`clusters analyze`,
 * errors recorded without a code). Order matters: the first rule that matches wins, so the
 * specific rules (a secret, an approval, a timeout) come before the broad ones (a missing file).
 * Plain data shared with the renderer, which shows the names and actions in the user's language.
 */
import type { RiskLevel } from '../config/orchestrator';

export interface BuiltinFailureRule {
  id: string;
  /** Error codes this rule claims whatever the message says. */
  codes: readonly string[];
  /** Case-insensitive regular expressions over the message (checked like user patterns). */
  patterns: readonly string[];
  severity: RiskLevel;
  display_name: { en: string; ja: string };
  recommended_actions: { en: readonly string[]; ja: readonly string[] };
}

export const BUILTIN_FAILURE_RULES: readonly BuiltinFailureRule[] = [
  {
    id: 'SECRET_NOT_FOUND',
    codes: ['SECRET_NOT_FOUND', 'SECRET_BACKEND_ERROR'],
    patterns: ["secret '[^']*' (not found|could not be read)", 'secrets are not available'],
    severity: 'high',
    display_name: { en: 'Secret not found', ja: 'シークレットが見つからない' },
    recommended_actions: {
      en: ['Register the secret under the name the template uses (Secrets view or `desktop-agent secrets set`)', 'Check that the keychain is unlocked and reachable', 'Check the spelling of {{secrets://…}} in the template'],
      ja: ['テンプレートが使う名前でシークレットを登録する（シークレット画面または `desktop-agent secrets set`）', 'キーチェーンがロック解除され利用できるか確認する', 'テンプレートの {{secrets://…}} の綴りを確認する'],
    },
  },
  {
    id: 'HITL_TIMEOUT',
    codes: ['HITL_TIMEOUT'],
    patterns: ['approval timed out'],
    severity: 'medium',
    display_name: { en: 'Approval timed out', ja: '承認のタイムアウト' },
    recommended_actions: {
      en: ['Make sure approvers are notified and on duty', 'Lengthen timeout_minutes of the human_confirm step', 'Review the auto_action for unanswered requests'],
      ja: ['承認者に通知が届き対応できる体制か確認する', 'human_confirm ステップの timeout_minutes を延ばす', '未回答時の auto_action を見直す'],
    },
  },
  {
    id: 'HITL_DENIED',
    codes: ['HITL_DENIED'],
    patterns: ['(^|: )(not started: )?denied by '],
    severity: 'low',
    display_name: { en: 'Approval denied', ja: '承認が却下された' },
    recommended_actions: {
      en: ["Read the approver's comment on the run", 'Correct the input and run again'],
      ja: ['実行に付いた承認者のコメントを確認する', '入力を修正して再実行する'],
    },
  },
  {
    id: 'NETWORK_TIMEOUT',
    codes: ['NETWORK_TIMEOUT'],
    patterns: ['make_request: .*timed out', 'navigation to .* timed out', 'connection timed out', 'ETIMEDOUT', 'timeout.*network'],
    severity: 'medium',
    display_name: { en: 'Network timeout', ja: 'ネットワークタイムアウト' },
    recommended_actions: {
      en: ['Check the network connection and the server', 'Consider a longer timeout_ms', 'Check the proxy settings'],
      ja: ['ネットワーク接続とサーバーを確認する', 'timeout_ms の延長を検討する', 'プロキシ設定を確認する'],
    },
  },
  {
    id: 'STEP_TIMEOUT',
    codes: ['STEP_TIMEOUT', 'RUN_TIMEOUT'],
    patterns: ['(^|: )(the )?(step|run) timed out'],
    severity: 'medium',
    display_name: { en: 'Step or run timed out', ja: 'ステップまたは実行のタイムアウト' },
    recommended_actions: {
      en: ['Find the slow step in the run detail', 'Raise the step timeout or the run timeout_ms', 'Check whether the application the step waits for responds'],
      ja: ['実行詳細で遅いステップを特定する', 'ステップのタイムアウトまたは実行の timeout_ms を延ばす', 'ステップが待つアプリケーションが応答しているか確認する'],
    },
  },
  {
    id: 'NETWORK_ERROR',
    codes: ['NETWORK_ERROR', 'DOWNLOAD_FAILED'],
    patterns: ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'network error', 'connection (was )?(refused|reset)', 'net::ERR_', 'socket hang up', 'the connection broke'],
    severity: 'high',
    display_name: { en: 'Network error', ja: 'ネットワークエラー' },
    recommended_actions: {
      en: ['Check that the server is running and the address and port are right', 'Check the network, VPN and proxy', 'Retry later; the run retries by itself when retries are set'],
      ja: ['サーバーが起動しているか、アドレスとポートが正しいか確認する', 'ネットワーク・VPN・プロキシを確認する', '時間をおいて再実行する（retries 設定時は自動で再試行）'],
    },
  },
  {
    id: 'RESOURCE_EXHAUSTED',
    codes: ['RESOURCE_EXHAUSTED', 'DISK_FULL', 'QUEUE_FULL', 'TOO_MANY_FILES', 'FILE_TOO_LARGE', 'RESPONSE_TOO_LARGE'],
    patterns: ['no space left', 'too many open files', "queue '[^']*' is full", 'out of memory', 'ENOSPC', 'EMFILE', 'more than [0-9]+ entries', 'is larger than [0-9]+', 'larger than [0-9]+ bytes'],
    severity: 'critical',
    display_name: { en: 'Resource exhausted', ja: 'リソース不足' },
    recommended_actions: {
      en: ['Free disk space or memory', 'Lower the concurrency or raise max_queued in orchestrator.yaml', 'Split the work into smaller batches'],
      ja: ['ディスク容量やメモリを空ける', 'orchestrator.yaml の同時実行数を下げるか max_queued を上げる', '処理を小さな単位に分ける'],
    },
  },
  {
    id: 'PERMISSION_BLOCKED',
    codes: ['PERMISSION_BLOCKED', 'PERMISSION_DENIED', 'READ_ONLY'],
    patterns: ['permission denied', 'EACCES', 'EPERM', 'read-only', 'access is denied', 'operation not permitted', 'outside files\\.allowed_roots'],
    severity: 'high',
    display_name: { en: 'Permission blocked', ja: '権限によるブロック' },
    recommended_actions: {
      en: ['Check the permissions of the file or folder', 'If the path is outside files.allowed_roots, have an admin add its folder in orchestrator.yaml', 'Close the program that holds the file', 'Run the app as a user who may write there'],
      ja: ['ファイルやフォルダーのアクセス権を確認する', 'files.allowed_roots の外のパスなら、管理者に orchestrator.yaml でフォルダーを追加してもらう', 'ファイルを開いているプログラムを閉じる', '書き込み権限のあるユーザーで実行する'],
    },
  },
  {
    id: 'PDF_PARSE_ERROR',
    codes: ['PDF_PARSE_ERROR', 'PDF_ENCRYPTED'],
    patterns: ['cannot read pdf', 'failed to parse pdf', 'no pdf header', 'is encrypted \\(password-protected\\)'],
    severity: 'medium',
    display_name: { en: 'PDF could not be read', ja: 'PDF を読み取れない' },
    recommended_actions: {
      en: ['Open the file: is it really a PDF, complete and not password-protected?', 'Have the sender export the PDF again', 'Exclude non-PDF files with the find_files pattern'],
      ja: ['ファイルを開き、本当に PDF か・破損やパスワード保護がないか確認する', '送信元に PDF の再出力を依頼する', 'find_files のパターンで PDF 以外を除外する'],
    },
  },
  {
    id: 'WEB_ELEMENT_NOT_FOUND',
    codes: ['WEB_ELEMENT_NOT_FOUND', 'WEB_OPTION_NOT_FOUND'],
    patterns: ['no clickable element with text', 'no (input field|file input) labelled', 'no visible element (matches|with)', "nothing matches '", 'none of its [0-9]+ options', 'waiting for (locator|selector)'],
    severity: 'high',
    display_name: { en: 'Web element not found', ja: 'Web 要素が見つからない' },
    recommended_actions: {
      en: ['Open the page and compare its labels with the template (the error lists the labels found)', 'Update the label or add a synonym', 'Check that the page finished loading (wait_for_element)'],
      ja: ['ページを開きテンプレートのラベルと比較する（エラーに見つかったラベル一覧があります）', 'ラベルを更新するか同義語を追加する', 'ページの読み込み完了を待っているか確認する（wait_for_element）'],
    },
  },
  {
    id: 'MAIL_COMPOSITION_ERROR',
    codes: ['NO_DRAFT', 'ATTACHMENT_NOT_FOUND', 'ATTACHMENTS_TOO_LARGE', 'MAIL_NOT_CONFIGURED', 'MAIL_REJECTED', 'MAIL_AUTH_FAILED', 'MAIL_SEND_FAILED'],
    patterns: ['there is no mail draft', 'attached file\\(s\\) no longer exist', 'cannot attach', 'attachments total', 'mail\\.smtp is not configured', '(^|: )(send_mail|save_draft|compose_mail|attach_files): '],
    severity: 'medium',
    display_name: { en: 'Mail could not be composed or sent', ja: 'メールの作成・送信エラー' },
    recommended_actions: {
      en: ['Check the recipients, the attachments and their size', 'Check mail.smtp in orchestrator.yaml and its password secret', 'Put compose_mail before attach_files and send_mail'],
      ja: ['宛先・添付ファイルとそのサイズを確認する', 'orchestrator.yaml の mail.smtp とパスワードのシークレットを確認する', 'attach_files と send_mail の前に compose_mail を置く'],
    },
  },
  {
    id: 'NO_FILES_FOUND',
    codes: ['FILE_NOT_FOUND', 'FOLDER_NOT_FOUND', 'NO_FILES'],
    patterns: ['no such file', '(file|folder|pdf)(\\(s\\))? not found', 'no files to work on', 'no (pdf files found|input pdfs)', 'does not exist', 'ENOENT'],
    severity: 'medium',
    display_name: { en: 'No files found', ja: 'ファイルが見つからない' },
    recommended_actions: {
      en: ['Check that the input folder holds the expected files', 'Check the path and the find_files pattern', 'Check whether another process moved the files'],
      ja: ['入力フォルダーに想定したファイルがあるか確認する', 'パスと find_files のパターンを確認する', '他の処理がファイルを移動していないか確認する'],
    },
  },
];

export const BUILTIN_RULE_IDS: ReadonlySet<string> = new Set(BUILTIN_FAILURE_RULES.map((r) => r.id));

/** Clusters nobody has a rule for yet get these until a rule claims them. */
export const GENERIC_ACTIONS = {
  en: ['Open the runs of this cluster and read the first error', 'Add a rule to failure_rules.yaml once the cause is known'],
  ja: ['このクラスターの実行を開き最初のエラーを確認する', '原因が分かったら failure_rules.yaml にルールを追加する'],
} as const;
