import { useEffect } from 'react';
import { useMessages } from '../i18n/use-messages';
import type { ListViewStoreHook } from '../stores/app-stores';
import type { SectionState } from '../stores/list-store';
import { ItemsTable } from './items-table';
import { QueryMessage } from './query-message';

function Section({ section, reload }: { section: SectionState; reload: () => void }) {
  const t = useMessages();
  const texts = t.sections[section.key];
  return (
    <section className="panel" data-testid={`section-${section.key}`} data-state={section.status}>
      <h3>
        {texts.title}
        {section.status === 'ready' ? <span className="count"> {t.state.count(section.items.length)}</span> : null}
      </h3>
      {section.status !== 'ready' ? (
        <QueryMessage status={section.status} error={section.error} binding={section.binding} onReload={reload} />
      ) : section.items.length === 0 ? (
        <p className="notice" data-testid="state-empty">
          {texts.empty}
        </p>
      ) : (
        <ItemsTable columns={section.columns} items={section.items} testId={`table-${section.key}`} />
      )}
    </section>
  );
}

/** A view made of lists, read from the core when it opens and again when events say they changed. */
export function ListView({ title, useViewStore }: { title: string; useViewStore: ListViewStoreHook }) {
  const sections = useViewStore((s) => s.sections);
  const load = useViewStore((s) => s.load);
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <>
      <h2>{title}</h2>
      {sections.map((s) => (
        <Section key={s.key} section={s} reload={() => void load()} />
      ))}
    </>
  );
}
