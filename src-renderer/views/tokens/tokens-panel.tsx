import { useEffect, useState, type FormEvent } from 'react';
import type { ErrorBody } from '@shared/contract/errors';
import { ConfirmDialog } from '../../components/dialog';
import { ErrorNotice, Field, formText } from '../../components/form';
import { formatTime } from '../../components/format';
import { QueryMessage } from '../../components/query-message';
import { useMessages } from '../../i18n/use-messages';
import { useLocaleStore, useTokensStore } from '../../stores/app-stores';
import type { FieldIssues } from '../../stores/outcome';
import { expiresAtOf, type TokenExpiry, type TokenView } from '../../stores/tokens-store';
import { Table } from '../../components/table';

const DAY_CHOICES = [30, 90, 365] as const;

function expiryOf(choice: string, date: string): TokenExpiry {
  if (choice === 'never') return { kind: 'never' };
  if (choice === 'date') return { kind: 'date', date };
  return { kind: 'days', days: Number(choice) };
}

/** A user's API tokens: list, create (shown once by TokenRevealDialog) and revoke. */
export function TokensPanel({ userId, username, title, testId }: { userId: string; username: string; title: string; testId: string }) {
  const t = useMessages();
  const locale = useLocaleStore((s) => s.locale);
  const list = useTokensStore((s) => s.byUser[userId]);
  const load = useTokensStore((s) => s.load);
  const create = useTokensStore((s) => s.create);
  const revoke = useTokensStore((s) => s.revoke);
  const [choice, setChoice] = useState('never');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorBody>();
  const [fields, setFields] = useState<FieldIssues>({});
  const [revoking, setRevoking] = useState<TokenView>();
  const [revokeError, setRevokeError] = useState<ErrorBody>();

  useEffect(() => {
    void load(userId);
  }, [load, userId]);

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = e.currentTarget;
    const expiry = expiresAtOf(expiryOf(choice, formText(f, 'date')), Date.now());
    if (!expiry.ok) return setFields({ date: [expiry.problem === 'date-past' ? t.tokens.datePast : t.tokens.dateInvalid] });
    setBusy(true);
    const r = await create(userId, username, formText(f, 'name'), expiry.value);
    setBusy(false);
    setError(r.ok ? undefined : r.error);
    setFields(r.ok ? {} : r.fields);
    if (r.ok) f.reset();
    if (r.ok) setChoice('never');
  };

  const confirmRevoke = async () => {
    if (!revoking) return;
    setBusy(true);
    const r = await revoke(userId, revoking.id);
    setBusy(false);
    setRevoking(undefined);
    setRevokeError(r.ok ? undefined : r.error);
  };

  const when = (iso: string | null) => (iso ? formatTime(iso, locale) : t.common.never);
  return (
    <section className="panel" data-testid={testId}>
      <h3>{title}</h3>
      <p className="detail-text">{t.tokens.intro}</p>
      {!list || list.status !== 'ready' ? (
        <QueryMessage status={list?.status ?? 'loading'} error={list?.error} binding="GET /api/admin/users/{id}/tokens" onReload={() => void load(userId)} />
      ) : list.items.length === 0 ? (
        <p className="notice" data-testid="tokens-empty">
          {t.tokens.empty}
        </p>
      ) : (
        <Table testId="tokens-table" columns={[t.tokens.name, t.tokens.created, t.tokens.lastUsed, t.tokens.expires, '']}>
          {list.items.map((k) => (
            <tr key={k.id} data-testid="token-row" data-token-name={k.name}>
              <td>{k.name}</td>
              <td>{when(k.created_at)}</td>
              <td>{when(k.last_used_at)}</td>
              <td>{k.expires_at ? formatTime(k.expires_at, locale) : t.tokens.never}</td>
              <td className="actions">
                <button type="button" className="danger small" onClick={() => setRevoking(k)} data-testid="token-revoke">
                  {t.tokens.revoke}
                </button>
              </td>
            </tr>
          ))}
        </Table>
      )}
      <ErrorNotice title={t.tokens.revokeFailed} error={revokeError} testId="token-revoke-error" />
      <form className="form inline" onSubmit={(e) => void submit(e)} noValidate data-testid="token-create-form">
        <Field label={t.tokens.name} name="name" issues={fields}>
          <input name="name" required maxLength={100} data-testid="token-name" />
        </Field>
        <Field label={t.tokens.expires} name="expires_at" issues={fields}>
          <select value={choice} onChange={(e) => setChoice(e.target.value)} data-testid="token-expiry">
            <option value="never">{t.tokens.never}</option>
            {DAY_CHOICES.map((d) => (
              <option key={d} value={String(d)}>
                {t.tokens.days(d)}
              </option>
            ))}
            <option value="date">{t.tokens.pickDate}</option>
          </select>
        </Field>
        {choice === 'date' ? (
          <Field label={t.tokens.date} name="date" issues={fields}>
            <input name="date" type="date" data-testid="token-date" />
          </Field>
        ) : null}
        <button type="submit" className="primary" disabled={busy} data-testid="token-create">
          {t.tokens.create}
        </button>
      </form>
      <ErrorNotice title={t.tokens.createFailed} error={error} testId="token-create-error" />
      {revoking ? (
        <ConfirmDialog
          title={t.tokens.revokeTitle}
          message={t.tokens.revokeConfirm(revoking.name)}
          confirmLabel={t.tokens.revoke}
          cancelLabel={t.common.cancel}
          busy={busy}
          onConfirm={() => void confirmRevoke()}
          onCancel={() => setRevoking(undefined)}
        />
      ) : null}
    </section>
  );
}
