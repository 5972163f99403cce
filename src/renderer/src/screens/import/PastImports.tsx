/** Earlier imports on this machine, each one reopened at its batch status. */
import { useT } from '../../i18n/index.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { formatDateTime } from '../../lib/format.ts';
import { useQuery } from '../../lib/useQuery.ts';
import { useApp } from '../../store/app.ts';

export function PastImports({ current, onOpen }: { current: string | null; onOpen: (id: string) => void }) {
  const { t, locale } = useT();
  const tz = useApp((s) => s.session?.tenant?.timezone ?? 'UTC');
  const q = useQuery('import.batches', {}, ['intents', 'offerings', 'conflicts']);
  const list = q.data ?? [];
  if (!list.length) return null;
  return (
    <section className="card" aria-labelledby="imp-past">
      <h2 id="imp-past" className="h2">
        {t('import.past')}
      </h2>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('import.file')}</th>
              <th scope="col">{t('import.col.when')}</th>
              <th scope="col">{t('import.col.result')}</th>
              <th scope="col">{t('import.col.state')}</th>
              <th scope="col">
                <span className="sr-only">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.slice(0, 20).map((b) => (
              <tr key={b.id} aria-current={b.id === current ? 'true' : undefined}>
                <td>{b.fileName}</td>
                <td>{formatDateTime(b.createdAt, tz, locale)}</td>
                <td>{t('import.batchLine', { created: b.created, updated: b.updated, rules: b.rules })}</td>
                <td>{t(`import.batchState.${b.state === 'paused' || b.state === 'rolled_back' ? b.state : 'committed'}` as MessageKey)}</td>
                <td>
                  <button type="button" className="btn btn-small" onClick={() => onOpen(b.id)} disabled={b.id === current} aria-label={t('import.openBatch', { file: b.fileName })}>
                    {t('common.open')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
