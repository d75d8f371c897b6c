import { useState } from 'react';
import { WATCH_EVENTS } from '@shared/config/triggers';
import type { WatcherView } from '@shared/contract/watchers';
import { Field, formText } from '../../components/form';
import { useMessages } from '../../i18n/use-messages';
import { useTriggerDetailStore } from '../../stores/app-stores';
import type { WatcherInput } from '../../stores/triggers-store';
import { IdAndName, TriggerFormFrame, foldIssues, lines } from './trigger-form-parts';

type WatchEvent = (typeof WATCH_EVENTS)[number];

/** Create or edit a folder watcher; the events are checked as they are ticked, the core's refusals shown at their field. */
export function WatcherForm({ current }: { current?: WatcherView }) {
  const t = useMessages().triggers;
  const f = { ...t.fields, ...t.triggerFields };
  const form = useTriggerDetailStore((s) => s.form);
  const save = useTriggerDetailStore((s) => s.saveWatcher);
  const [events, setEvents] = useState<WatchEvent[]>(current?.events ?? ['created']);
  if (!form) return null;
  const issues = { ...foldIssues(form.issues), ...(events.length ? {} : { events: [t.eventsRequired] }) };

  const submit = (el: HTMLFormElement) => {
    const input: WatcherInput = {
      id: form.editing ?? formText(el, 'id').trim(),
      name: formText(el, 'name').trim(),
      watch_path: formText(el, 'watch_path').trim(),
      template: formText(el, 'template').trim(),
      patterns: lines(formText(el, 'patterns')),
      ignore_patterns: lines(formText(el, 'ignore_patterns')),
      events,
      debounce_ms: Number(formText(el, 'debounce_ms')),
      recursive: (el.elements.namedItem('recursive') as HTMLInputElement).checked,
      polling: formText(el, 'polling') as WatcherInput['polling'],
      queue: formText(el, 'queue').trim() || 'default',
    };
    if (!input.patterns?.length) input.patterns = ['*'];
    void save(input);
  };
  const toggle = (e: WatchEvent, on: boolean) => setEvents((now) => (on ? [...now.filter((x) => x !== e), e] : now.filter((x) => x !== e)));

  return (
    <TriggerFormFrame testId="watcher-form" title={form.editing ? t.watcherFormEdit(form.editing) : t.watcherFormNew} failed={t.watcherSaveFailed} canSave={events.length > 0} onSubmit={submit}>
      <IdAndName kind="watcher" editing={form.editing} name={current?.name} issues={issues} />
      <Field label={f.watch_path!} name="watch_path" issues={issues} hint={t.watchPathHint}>
        <input name="watch_path" required defaultValue={current?.watch_path} data-testid="watcher-path" />
      </Field>
      <Field label={f.template!} name="template" issues={issues}>
        <input name="template" required defaultValue={current?.template} data-testid="watcher-template" />
      </Field>
      <Field label={f.patterns!} name="patterns" issues={issues} hint={t.patternsHint}>
        <textarea name="patterns" rows={2} defaultValue={(current?.patterns ?? ['*']).join('\n')} data-testid="watcher-patterns" />
      </Field>
      <Field label={f.ignore_patterns!} name="ignore_patterns" issues={issues}>
        <textarea name="ignore_patterns" rows={2} defaultValue={current?.ignore_patterns.join('\n')} data-testid="watcher-ignore" />
      </Field>
      <Field label={f.events!} name="events" issues={issues}>
        <span className="choices">
          {WATCH_EVENTS.map((e) => (
            <label key={e} className="choice">
              <input type="checkbox" checked={events.includes(e)} onChange={(x) => toggle(e, x.target.checked)} data-testid={`watcher-event-${e}`} /> {t.watchEvents[e] ?? e}
            </label>
          ))}
        </span>
      </Field>
      <Field label={f.debounce_ms!} name="debounce_ms" issues={issues} hint={t.debounceHint}>
        <input name="debounce_ms" type="number" min={0} max={3_600_000} required defaultValue={current?.debounce_ms ?? 1000} data-testid="watcher-debounce" />
      </Field>
      <Field label={f.recursive!} name="recursive" issues={issues}>
        <input name="recursive" type="checkbox" defaultChecked={current?.recursive ?? false} data-testid="watcher-recursive" />
      </Field>
      <Field label={f.polling!} name="polling" issues={issues}>
        <select name="polling" defaultValue={current?.polling ?? 'auto'}>
          {Object.entries(t.pollingModes).map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
      </Field>
      <Field label={f.queue!} name="queue" issues={issues}>
        <input name="queue" defaultValue={current?.queue ?? 'default'} data-testid="watcher-queue" />
      </Field>
    </TriggerFormFrame>
  );
}
