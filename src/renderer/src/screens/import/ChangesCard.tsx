/**
 * What an import changes in offerings the console already has (issue #14): per offering, each field
 * old → new; and the rows that take a PUBLISHED offering off sale, which the commit needs confirmed
 * by a checkbox naming them.
 */
import { useId } from 'react';
import type { ImportAnalysisView, ImportFieldChangeView, OfferingStatus } from '../../../../shared/contract/types.ts';
import { useT } from '../../i18n/index.ts';
import type { MessageKey, T } from '../../i18n/index.ts';
import { formatMoney } from '../../lib/format.ts';

/** The CSV column a changed field comes from (what the user sees in the file). */
const column: Record<ImportFieldChangeView['field'], string> = {
  title: 'title',
  description: 'description',
  status: 'status',
  productTypeKey: 'product_type',
  categories: 'categories',
  basePriceCents: 'base_price',
  currency: 'currency',
  taxRateBps: 'tax_bps',
  pricingModel: 'pricing_model',
  cancellationPolicy: 'cancellation_policy',
};

function shown(t: T, locale: string, change: ImportFieldChangeView, value: ImportFieldChangeView['from'], currency: string): string {
  if (value === null || value === '') return t('import.changes.empty');
  if (change.field === 'status') return t(`offeringStatus.${value as OfferingStatus}` as MessageKey);
  if (change.field === 'basePriceCents' && typeof value === 'number') return formatMoney(value, currency, locale);
  if (Array.isArray(value)) return value.join(' | ') || t('import.changes.empty');
  const text = String(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

export function ChangesCard({ view }: { view: ImportAnalysisView }) {
  const { t, locale } = useT();
  const updates = view.preview.samples.update.filter((p) => (p.changes?.length ?? 0) > 0 || p.rulesChanged);
  if (updates.length === 0) return null;
  const more = view.preview.counts.offerings.update - view.preview.samples.update.length;
  return (
    <section className="card" aria-labelledby="imp-changes">
      <h2 id="imp-changes" className="h2">
        {t('import.changes.title')}
      </h2>
      <ul className="import-changes">
        {updates.map((p) => {
          const currency = typeof p.fields.currency === 'string' ? p.fields.currency : (p.changes?.find((c) => c.field === 'currency')?.from as string | undefined) ?? 'USD';
          return (
            <li key={p.slug}>
              <p className="import-change-head">
                <code>{p.slug}</code> <span className="muted">{t('import.changes.line', { line: p.line })}</span>
              </p>
              <dl className="import-change-fields">
                {(p.changes ?? []).map((c) => (
                  <div key={c.field}>
                    <dt>
                      <code>{column[c.field]}</code>
                    </dt>
                    <dd>
                      <del>{shown(t, locale, c, c.from, currency)}</del> <span aria-hidden="true">→</span>
                      <span className="sr-only">{t('import.changes.becomes')}</span> <ins>{shown(t, locale, c, c.to, currency)}</ins>
                    </dd>
                  </div>
                ))}
                {p.rulesChanged && (
                  <div>
                    <dt>{t('import.changes.availability')}</dt>
                    <dd>{t('import.changes.rulesReplaced', { n: p.rules?.length ?? 0 })}</dd>
                  </div>
                )}
              </dl>
            </li>
          );
        })}
      </ul>
      {more > 0 && <p className="muted">{t('import.changes.more', { n: more })}</p>}
    </section>
  );
}

/** The confirmation a commit needs when rows take live offerings off sale; null when there are none. */
export function UnpublishConfirm({ view, checked, onChange }: { view: ImportAnalysisView; checked: boolean; onChange: (checked: boolean) => void }) {
  const { t } = useT();
  const id = useId();
  if (view.unpublishes.length === 0) return null;
  return (
    <div className="notice notice-warning import-unpublish">
      <p id={`${id}-what`}>{t('import.unpublish.what', { n: view.unpublishes.length })}</p>
      <ul>
        {view.unpublishes.map((u) => (
          <li key={u.slug}>
            {t('import.unpublish.row', { title: u.title, slug: u.slug, status: t(`offeringStatus.${u.to}` as MessageKey), line: u.line })}
          </li>
        ))}
      </ul>
      <label className="check">
        <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} aria-describedby={`${id}-what`} />{' '}
        {t('import.unpublish.confirm', { names: view.unpublishes.map((u) => u.title).join(', ') })}
      </label>
    </div>
  );
}
