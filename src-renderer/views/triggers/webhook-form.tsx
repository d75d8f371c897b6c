import { useState } from 'react';
import { SIGNATURE_SCHEMES, WEBHOOK_ENDPOINT } from '@shared/config/triggers';
import type { WebhookView } from '@shared/contract/webhooks';
import { Field, clearFields, formText } from '../../components/form';
import { useMessages } from '../../i18n/use-messages';
import { useTriggerDetailStore } from '../../stores/app-stores';
import type { WebhookInput } from '../../stores/triggers-store';
import { IdAndName, TriggerFormFrame, foldIssues, lines } from './trigger-form-parts';

type Scheme = (typeof SIGNATURE_SCHEMES)[number];

/**
 * Create or edit a webhook; the endpoint is checked as it is typed. The secret is write-only: it is
 * sent once to the core, which keeps it in the secrets backend (webhooks.yaml gets a secrets://
 * reference), and never read back; left empty on an edit, the stored one stays.
 */
export function WebhookForm({ current }: { current?: WebhookView }) {
  const t = useMessages().triggers;
  const f = { ...t.fields, ...t.triggerFields };
  const form = useTriggerDetailStore((s) => s.form);
  const save = useTriggerDetailStore((s) => s.saveWebhook);
  const [endpoint, setEndpoint] = useState(current?.endpoint ?? '/webhooks/');
  const [signature, setSignature] = useState<Scheme>(current?.signature ?? 'github');
  if (!form) return null;
  const endpointOk = WEBHOOK_ENDPOINT.test(endpoint);
  const issues = { ...foldIssues(form.issues), ...(endpointOk ? {} : { endpoint: [t.endpointInvalid] }) };
  const hasSecret = current?.secret_stored != null;

  const submit = (el: HTMLFormElement) => {
    const secret = formText(el, 'secret');
    const input: WebhookInput = {
      id: form.editing ?? formText(el, 'id').trim(),
      name: formText(el, 'name').trim(),
      endpoint: endpoint.trim(),
      template: formText(el, 'template').trim(),
      signature,
      allowed_ips: lines(formText(el, 'allowed_ips')),
      extract_variables: lines(formText(el, 'extract_variables')),
      queue: formText(el, 'queue').trim() || 'default',
      ...(secret && signature !== 'none' ? { secret } : {}),
    };
    // The secret leaves the page with this request only.
    clearFields(el, 'secret');
    void save(input);
  };

  return (
    <TriggerFormFrame testId="webhook-form" title={form.editing ? t.webhookFormEdit(form.editing) : t.webhookFormNew} failed={t.webhookSaveFailed} canSave={endpointOk} onSubmit={submit}>
      <IdAndName kind="webhook" editing={form.editing} name={current?.name} issues={issues} />
      <Field label={f.endpoint!} name="endpoint" issues={issues} hint={t.endpointHint}>
        <input name="endpoint" value={endpoint} onChange={(e) => setEndpoint(e.target.value)} required data-testid="webhook-endpoint" />
      </Field>
      <Field label={f.template!} name="template" issues={issues}>
        <input name="template" required defaultValue={current?.template} data-testid="webhook-template" />
      </Field>
      <Field label={f.signature!} name="signature" issues={issues}>
        <select name="signature" value={signature} onChange={(e) => setSignature(e.target.value as Scheme)} data-testid="webhook-signature">
          {SIGNATURE_SCHEMES.map((s) => (
            <option key={s} value={s}>
              {t.schemes[s] ?? s}
            </option>
          ))}
        </select>
      </Field>
      {signature === 'none' ? null : (
        <Field label={f.secret!} name="secret" issues={issues} hint={hasSecret ? `${t.secretStored[current!.secret_stored!] ?? ''} — ${t.secretKeepHint}` : t.secretHint}>
          <input name="secret" type="password" autoComplete="off" required={!hasSecret} data-testid="webhook-secret" />
        </Field>
      )}
      <Field label={f.allowed_ips!} name="allowed_ips" issues={issues} hint={t.allowedIpsHint}>
        <textarea name="allowed_ips" rows={2} defaultValue={current?.allowed_ips.join('\n')} data-testid="webhook-allowed-ips" />
      </Field>
      <Field label={f.extract_variables!} name="extract_variables" issues={issues} hint={t.extractHint}>
        <textarea name="extract_variables" rows={2} defaultValue={current?.extract_variables.join('\n')} data-testid="webhook-extract" />
      </Field>
      <Field label={f.queue!} name="queue" issues={issues}>
        <input name="queue" defaultValue={current?.queue ?? 'default'} data-testid="webhook-queue" />
      </Field>
    </TriggerFormFrame>
  );
}
