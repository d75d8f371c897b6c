import { useState } from 'react';
import { tryParseCron } from '@shared/cron/cron-parse';
import { Field, formText } from '../../components/form';
import { useMessages } from '../../i18n/use-messages';
import { useTriggerDetailStore } from '../../stores/app-stores';
import type { ScheduleInput } from '../../stores/triggers-store';
import { cronInWords } from './cron-words';
import { IdAndName, TriggerFormFrame } from './trigger-form-parts';

type ScheduleItem = Partial<ScheduleInput> & { id?: string };

/** Create or edit a schedule; the cron is checked as it is typed (the core's parser), the core's refusals are shown at their field. */
export function ScheduleForm({ current }: { current?: ScheduleItem }) {
  const t = useMessages().triggers;
  const form = useTriggerDetailStore((s) => s.form);
  const save = useTriggerDetailStore((s) => s.saveSchedule);
  const [cron, setCron] = useState(current?.cron ?? '0 9 * * *');
  if (!form) return null;
  const parsed = tryParseCron(cron);
  const issues = { ...form.issues, ...(parsed.ok ? {} : { cron: [parsed.message] }) };

  const submit = (f: HTMLFormElement) => {
    const timezone = formText(f, 'timezone').trim();
    const input: ScheduleInput = {
      id: form.editing ?? formText(f, 'id').trim(),
      name: formText(f, 'name').trim(),
      cron: cron.trim(),
      template: formText(f, 'template').trim(),
      queue: formText(f, 'queue').trim() || 'default',
      priority: Number(formText(f, 'priority')) || 5,
      catch_up: formText(f, 'catch_up') as ScheduleInput['catch_up'],
      overlap: formText(f, 'overlap') as ScheduleInput['overlap'],
      ...(timezone ? { timezone } : {}),
    };
    void save(input);
  };

  return (
    <TriggerFormFrame testId="schedule-form" saveTestId="schedule-save" title={form.editing ? t.formEdit(form.editing) : t.formNew} failed={t.saveFailed} canSave={parsed.ok} onSubmit={submit}>
      <IdAndName kind="schedule" editing={form.editing} name={current?.name} issues={issues} />
      <Field label={t.fields.cron!} name="cron" issues={issues} hint={parsed.ok ? cronInWords(cron, t.cron) : t.cronHint}>
        <input name="cron" value={cron} onChange={(e) => setCron(e.target.value)} required data-testid="schedule-cron" />
      </Field>
      <Field label={t.fields.template!} name="template" issues={issues}>
        <input name="template" required defaultValue={current?.template} data-testid="schedule-template" />
      </Field>
      <Field label={t.fields.timezone!} name="timezone" issues={issues} hint={t.zoneHint}>
        <input name="timezone" defaultValue={current?.timezone} placeholder="Asia/Tokyo" data-testid="schedule-timezone" />
      </Field>
      <Field label={t.fields.queue!} name="queue" issues={issues}>
        <input name="queue" defaultValue={current?.queue ?? 'default'} data-testid="schedule-queue" />
      </Field>
      <Field label={t.fields.priority!} name="priority" issues={issues}>
        <input name="priority" type="number" min={1} max={9} defaultValue={current?.priority ?? 5} />
      </Field>
      <Field label={t.fields.catch_up!} name="catch_up" issues={issues}>
        <select name="catch_up" defaultValue={current?.catch_up ?? 'once'}>
          {Object.entries(t.catchUp).map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t.fields.overlap!} name="overlap" issues={issues}>
        <select name="overlap" defaultValue={current?.overlap ?? 'skip'} data-testid="schedule-overlap">
          {Object.entries(t.overlap).map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
      </Field>
    </TriggerFormFrame>
  );
}
