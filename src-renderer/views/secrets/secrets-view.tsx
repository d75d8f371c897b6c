import { useEffect, useState, type FormEvent } from 'react';
import type { ErrorBody } from '@shared/contract/errors';
import type { SecretBackendName } from '@shared/domain/secret-ref';
import { ConfirmDialog } from '../../components/dialog';
import { ErrorNotice, Field, clearFields, formText } from '../../components/form';
import { formatTime } from '../../components/format';
import { QueryMessage } from '../../components/query-message';
import type { Messages } from '../../i18n';
import { useMessages, type Said } from '../../i18n/use-messages';
import { useLocaleStore, useSecretsStore } from '../../stores/app-stores';
import type { FieldIssues } from '../../stores/outcome';
import { deletable, secretRef, storeLocks, writableBackends, type SecretItem } from '../../stores/secrets-store';
import { Table } from '../../components/table';

/** A backend as people know it, with its configuration name: `encrypted file (file)`. */
const backendLabel = (t: Messages, name: string) => `${t.secrets.backendNames[name] ?? name} (${name})`;

function useBackendName() {
  const t = useMessages();
  return (name: string) => backendLabel(t, name);
}

/** A notice kept as words to say, so a change of language re-words it. */
type Notice = { say: Said; warn?: boolean };

/** Secrets (manage_secrets): backends and their state, names stored, and write-only values. */
export function SecretsView() {
  const t = useMessages();
  const load = useSecretsStore((s) => s.load);
  const [notice, setNotice] = useState<Notice>();
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <>
      <h2>{t.secrets.title}</h2>
      <BackendsPanel />
      <SecretForm onStored={(say) => setNotice({ say })} />
      <SecretsList notice={notice} onNotice={setNotice} />
    </>
  );
}

function BackendsPanel() {
  const t = useMessages();
  const backendName = useBackendName();
  const status = useSecretsStore((s) => s.status);
  const load = useSecretsStore((s) => s.load);
  const data = status.data;
  return (
    <section className="panel" data-testid="secrets-status" data-state={status.status}>
      <h3>{t.secrets.statusTitle}</h3>
      {status.status !== 'ready' || !data ? (
        <QueryMessage status={status.status} error={status.error} binding="GET /api/secrets/status" onReload={() => void load()} />
      ) : (
        <>
          <p className="detail-text" data-testid="secrets-totals">
            {t.secrets.order}: <code className="code">{data.order.join(' → ')}</code> · {t.secrets.totals(data.lookups_24h, data.hits_24h, data.misses_24h)}
          </p>
          <Table testId="secrets-backends" columns={[t.secrets.backend, t.secrets.availability, t.secrets.writable, t.secrets.lookups, t.secrets.hits, t.secrets.misses, t.secrets.errors]}>
            {data.backends.map((b) => (
              <tr key={b.name} data-testid="secrets-backend" data-backend={b.name} data-available={b.available}>
                <td className="nowrap">{backendName(b.name)}</td>
                <td>
                  <span className={b.available ? 'pill ok' : 'pill bad'}>{b.available ? t.secrets.available : t.secrets.unavailable}</span>
                  {b.lock ? (
                    <span className="reason" data-testid="secrets-backend-reason" data-lock={b.lock} title={b.reason ?? undefined}>
                      {t.secrets.locks[b.lock] ?? b.reason}
                    </span>
                  ) : b.reason ? (
                    <span className="reason" data-testid="secrets-backend-reason">
                      {b.reason}
                    </span>
                  ) : null}
                </td>
                <td className="nowrap">{b.writable ? t.secrets.canWrite : t.secrets.readOnly}</td>
                <td className="num">{b.lookups_24h}</td>
                <td className="num">{b.hits_24h}</td>
                <td className="num">{b.misses_24h}</td>
                <td className="num">{b.errors_24h}</td>
              </tr>
            ))}
          </Table>
        </>
      )}
    </section>
  );
}

function SecretForm({ onStored }: { onStored: (say: Said) => void }) {
  const t = useMessages();
  const backendName = useBackendName();
  const status = useSecretsStore((s) => s.status.data);
  const store = useSecretsStore((s) => s.store);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorBody>();
  const [fields, setFields] = useState<FieldIssues>({});

  // Nothing could store the value: say what is locked and how to unlock it, instead of a form that can only fail.
  const locks = storeLocks(status);
  if (locks.length) {
    return (
      <section className="panel" data-testid="secret-form-locked">
        <h3>{t.secrets.setTitle}</h3>
        <LockNotice title={t.secrets.cannotStore} locks={locks} testId="secrets-cannot-store" />
      </section>
    );
  }

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = e.currentTarget;
    const backend = formText(f, 'backend');
    const write = { key: formText(f, 'key').trim(), service: formText(f, 'service').trim(), value: formText(f, 'value'), backend: (backend || undefined) as SecretBackendName | undefined };
    // The value leaves the page's memory with this call; the field is emptied whatever the answer.
    clearFields(f, 'value');
    setBusy(true);
    const r = await store(write);
    setBusy(false);
    setError(r.ok ? undefined : r.error);
    setFields(r.ok ? {} : r.fields);
    if (r.ok) {
      f.reset();
      const { data } = r;
      onStored((m) => m.secrets.stored(secretRef(data), backendLabel(m, data.backend)));
    }
  };

  return (
    <section className="panel" data-testid="secret-form">
      <h3>{t.secrets.setTitle}</h3>
      <form className="form inline" onSubmit={(e) => void submit(e)} noValidate autoComplete="off">
        <Field label={t.secrets.key} name="key" issues={fields}>
          <input name="key" required data-testid="secret-key" />
        </Field>
        <Field label={t.secrets.serviceOptional} name="service" issues={fields} hint={t.secrets.serviceHint}>
          <input name="service" data-testid="secret-service" />
        </Field>
        <Field label={t.secrets.value} name="value" issues={fields} hint={t.secrets.valueHint}>
          <input name="value" type="password" autoComplete="off" required data-testid="secret-value" />
        </Field>
        <Field label={t.secrets.backend} name="backend" issues={fields}>
          <select name="backend" defaultValue="" data-testid="secret-backend">
            <option value="">{t.secrets.auto}</option>
            {writableBackends(status).map((b) => (
              <option key={b} value={b}>
                {backendName(b)}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" className="primary" disabled={busy} data-testid="secret-save">
          {t.secrets.save}
        </button>
      </form>
      <ErrorNotice title={t.secrets.saveFailed} error={error} testId="secret-save-error" />
    </section>
  );
}

function LockNotice({ title, locks, testId }: { title: string; locks: string[]; testId: string }) {
  const t = useMessages();
  return (
    <div className="notice warn" role="status" data-testid={testId}>
      <p>{title}</p>
      <ul>
        {[...new Set(locks)].map((lock) => (
          <li key={lock} data-lock={lock}>
            {t.secrets.locks[lock] ?? lock}
          </li>
        ))}
      </ul>
    </div>
  );
}

function SecretsList({ notice, onNotice }: { notice?: Notice; onNotice: (n: Notice) => void }) {
  const t = useMessages();
  const locale = useLocaleStore((s) => s.locale);
  const backendName = useBackendName();
  const list = useSecretsStore((s) => s.list);
  const status = useSecretsStore((s) => s.status.data);
  const load = useSecretsStore((s) => s.load);
  const remove = useSecretsStore((s) => s.remove);
  const [deleting, setDeleting] = useState<SecretItem>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorBody>();

  const confirmDelete = async () => {
    if (!deleting) return;
    setBusy(true);
    const r = await remove(deleting);
    setBusy(false);
    setDeleting(undefined);
    setError(r.ok ? undefined : r.error);
    if (r.ok) {
      const ref = secretRef(r.data);
      const stillIn = r.data.still_in;
      onNotice(stillIn.length ? { say: (m) => m.secrets.stillIn(ref, stillIn.map((b) => backendLabel(m, b)).join(', ')), warn: true } : { say: (m) => m.secrets.deleted(ref) });
    }
  };

  return (
    <section className="panel" data-testid="secrets-panel" data-state={list.status}>
      <h3>
        {t.secrets.listTitle}
        {list.status === 'ready' ? <span className="count"> {t.state.count(list.items.length)}</span> : null}
      </h3>
      {notice ? (
        <p className={notice.warn ? 'notice warn' : 'notice ok'} role="status" data-testid="secrets-notice">
          {notice.say(t)}
        </p>
      ) : null}
      <ErrorNotice title={t.secrets.deleteFailed} error={error} testId="secret-delete-error" />
      {list.locked.length ? <LockNotice title={t.secrets.notListed} locks={list.locked.map((l) => l.lock)} testId="secrets-locked" /> : null}
      {list.status !== 'ready' ? (
        <QueryMessage status={list.status} error={list.error} binding="GET /api/secrets" onReload={() => void load()} />
      ) : list.items.length === 0 && list.locked.length ? null : list.items.length === 0 ? (
        <p className="notice" data-testid="secrets-empty">
          {t.secrets.empty}
        </p>
      ) : (
        <Table testId="secrets-table" columns={[t.secrets.reference, t.secrets.key, t.secrets.service, t.secrets.backend, t.secrets.updated, '']}>
          {list.items.map((s) => (
            <tr key={`${s.backend}/${s.service ?? ''}/${s.key}`} data-testid="secret-row" data-ref={secretRef(s)} data-backend={s.backend}>
              <td>
                <code className="code">{`{{${secretRef(s)}}}`}</code>
                {s.shadowed_by ? <span className="reason">{t.secrets.shadowedBy(backendName(s.shadowed_by))}</span> : null}
              </td>
              <td>{s.key}</td>
              <td>{s.service ?? t.common.never}</td>
              <td>{backendName(s.backend)}</td>
              <td>{s.updated_at ? formatTime(s.updated_at, locale) : t.common.never}</td>
              <td className="actions">
                {deletable(s, status) ? (
                  <button type="button" className="small danger" onClick={() => setDeleting(s)} data-testid="secret-delete">
                    {t.secrets.delete}
                  </button>
                ) : (
                  <span className="muted">{t.secrets.readOnly}</span>
                )}
              </td>
            </tr>
          ))}
        </Table>
      )}
      {deleting ? (
        <ConfirmDialog
          title={t.secrets.deleteTitle}
          message={t.secrets.deleteConfirm(secretRef(deleting))}
          confirmLabel={t.secrets.delete}
          cancelLabel={t.common.cancel}
          busy={busy}
          onConfirm={() => void confirmDelete()}
          onCancel={() => setDeleting(undefined)}
        />
      ) : null}
    </section>
  );
}
