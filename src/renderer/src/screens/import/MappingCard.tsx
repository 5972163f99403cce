/** The column mapping of a checked file: every header's guess (exact, alias, fuzzy) and a way to change it. */
import type { ImportAnalysisView, ImportFieldName } from '../../../../shared/contract/types.ts';
import { importFieldNames } from '../../../../shared/contract/types.ts';
import { useT } from '../../i18n/index.ts';
import { coreText } from '../../lib/coreMessage.ts';
import { methodLabel } from './text.ts';

const fieldNames: readonly ImportFieldName[] = importFieldNames;

export function MappingCard({ view, mapping, onMapping, busy }: { view: ImportAnalysisView; mapping: Record<string, ImportFieldName | null>; onMapping: (m: Record<string, ImportFieldName | null>) => void; busy: boolean }) {
  const { t, locale } = useT();
  const m = view.mapping!;
  const required = new Set<ImportFieldName>(['slug', 'title', 'product_type', 'base_price', 'currency']);
  return (
    <section className="card import-mapping" aria-labelledby="imp-mapping">
      <h2 id="imp-mapping" className="h2">
        {t('import.mapping')}
      </h2>
      <p className="muted">{t('import.mappingHint')}</p>
      {m.missingRequired.length > 0 && (
        <p className="notice notice-danger" role="alert">
          {t('import.missingRequired', { fields: m.missingRequired.join(', ') })}
        </p>
      )}
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('import.col.letter')}</th>
              <th scope="col">{t('import.col.header')}</th>
              <th scope="col">{t('import.col.mappedTo')}</th>
              <th scope="col">{t('import.col.how')}</th>
            </tr>
          </thead>
          <tbody>
            {m.columns.map((c) => (
              <tr key={c.index}>
                <td>{c.letter}</td>
                <th scope="row" className="import-header-cell">
                  {c.header || <span className="muted">{t('import.emptyHeader')}</span>}
                </th>
                <td>
                  <select
                    aria-label={t('import.mapColumn', { header: c.header || c.letter })}
                    value={c.field ?? ''}
                    disabled={busy}
                    onChange={(e) => {
                      const value = e.currentTarget.value;
                      onMapping({ ...mapping, [c.header]: value ? (value as ImportFieldName) : null });
                    }}
                  >
                    <option value="">{t('import.ignore')}</option>
                    {fieldNames.map((f) => (
                      <option key={f} value={f}>
                        {f}
                        {required.has(f) ? ' *' : ''}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <span className={`chip import-method-${c.method}`}>{methodLabel(t, c.method, c.confidence, locale)}</span>
                  {c.note && c.method === 'none' && <span className="muted small import-note">{coreText(c.noteMessage, c.note === 'unknown column' ? t('import.note.unknown') : c.note === 'ignored by choice' ? t('import.note.byChoice') : c.note, { t, locale })}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="small muted">{t('import.requiredLegend')}</p>
      {m.ignored.length > 0 && <p>{t('import.ignoredList', { list: m.ignored.map((h) => `“${h}”`).join(', ') })}</p>}
      {Object.keys(mapping).length > 0 && (
        <div className="card-actions">
          <button type="button" className="btn btn-small" onClick={() => onMapping({})} disabled={busy}>
            {t('import.resetMapping')}
          </button>
        </div>
      )}
    </section>
  );
}
