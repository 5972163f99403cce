/** Catalogue: offerings (create/edit/publish/archive), weekly availability, coupons. */
import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import type { CouponView, OfferingStatus, OfferingView } from '../../../shared/contract/types.ts';
import { ContractError } from '../../../shared/contract/types.ts';
import { api } from '../api.ts';
import { useTimezone } from '../components/bookingActions.tsx';
import { Dialog, Empty, ErrorState, Field, Loading, OfferingStatusBadge, PageHeader, SyncChip, errorText } from '../components/ui.tsx';
import { useT } from '../i18n/index.ts';
import type { MessageKey, T } from '../i18n/index.ts';
import { formatDate, formatMoney, fromZonedInput, parseMoneyInput, toZonedInput } from '../lib/format.ts';
import type { CatalogueTab } from '../lib/routes.ts';
import { useDebounced } from '../lib/useDebounced.ts';
import { useQuery } from '../lib/useQuery.ts';
import { useApp } from '../store/app.ts';
import { AvailabilityTab } from './Availability.tsx';
import { ImportTab } from './Import.tsx';
import './catalogue.css';

export function CatalogueScreen({ tab }: { tab: CatalogueTab }) {
  const { t } = useT();
  const tabs: Array<{ id: CatalogueTab; key: MessageKey }> = [
    { id: 'offerings', key: 'catalogue.offerings' },
    { id: 'availability', key: 'catalogue.availability' },
    { id: 'coupons', key: 'catalogue.coupons' },
    { id: 'import', key: 'catalogue.import' },
  ];
  return (
    <div className="page">
      <PageHeader title={t('catalogue.title')} />
      <nav className="tabs" aria-label={t('catalogue.title')}>
        {tabs.map((x) => (
          <a key={x.id} href={`#/catalogue/${x.id}`} className="tab" aria-current={tab === x.id ? 'page' : undefined}>
            {t(x.key)}
          </a>
        ))}
      </nav>
      {tab === 'offerings' && <OfferingsTab />}
      {tab === 'availability' && <AvailabilityTab />}
      {tab === 'coupons' && <CouponsTab />}
      {tab === 'import' && <ImportTab />}
    </div>
  );
}

/** Server-side field errors (`fields.title`) mapped onto the form's fields. */
function serverFieldErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (err instanceof ContractError && err.fields) for (const f of err.fields) out[f.path.replace(/^fields\./, '')] = f.message;
  return out;
}

// ------------------------------------------------------------------------------------------ offerings

/** Offerings a page at a time: at 20k offerings the whole table took the window 30 s to lay out (#16). */
const OFFERINGS_PAGE = 50;

/**
 * One page of `offerings.page` for the search, kept on screen while the next page or a re-fetch
 * loads (no flash of "Loading" between pages).
 */
function useOfferingsPage(search: string, page: number) {
  const q = useQuery('offerings.page', { search, offset: page * OFFERINGS_PAGE, limit: OFFERINGS_PAGE }, ['offerings', 'intents', 'conflicts']);
  const last = useRef(q.data);
  if (q.data) last.current = q.data;
  return { ...q, data: q.data ?? (q.loading ? last.current : undefined) };
}

// eslint-disable-next-line max-lines-per-function -- a React tab: its hooks stay in one body, and most of its length is the table's JSX
function OfferingsTab() {
  const { t, locale } = useT();
  const toast = useApp((s) => s.toast);
  const pending = useApp((s) => s.pendingCommand);
  const setPending = useApp((s) => s.setPendingCommand);
  const [text, setText] = useState('');
  const search = useDebounced(text.trim(), 250);
  const [page, setPage] = useState(0);
  const q = useOfferingsPage(search, page);
  const [editing, setEditing] = useState<OfferingView | 'new' | null>(null);
  // The offerings ticked, on any page: their views, so a draft ticked two pages back is still published.
  const [selected, setSelected] = useState<ReadonlyMap<string, OfferingView>>(new Map());

  useEffect(() => {
    if (pending === 'newOffering') {
      setEditing('new');
      setPending(null);
    }
  }, [pending, setPending]);
  // A new search starts at its first page.
  useEffect(() => setPage(0), [search]);
  // Fewer offerings than the page needs (deleted, searched): back to the last page there is.
  const total = q.data?.total ?? 0;
  useEffect(() => {
    if (q.data && page > 0 && page * OFFERINGS_PAGE >= total) setPage(Math.max(0, Math.ceil(total / OFFERINGS_PAGE) - 1));
  }, [q.data, page, total]);

  const setStatus = async (list: OfferingView[], status: OfferingStatus) => {
    for (const o of list) {
      try {
        await api.call('offerings.patch', { id: o.id, fields: { status } });
        toast({ kind: 'success', message: t(status === 'PUBLISHED' ? 'offerings.published' : 'offerings.archived', { name: o.title }) });
      } catch (err) {
        toast({ kind: 'error', message: `${o.title}: ${errorText(t, err)}` });
      }
    }
    setSelected(new Map());
  };

  const rows = q.data?.items ?? [];
  const drafts = [...selected.values()].filter((o) => o.status === 'DRAFT');
  const toggle = (o: OfferingView) =>
    setSelected((prev) => {
      const next = new Map(prev);
      if (next.has(o.id)) next.delete(o.id);
      else next.set(o.id, o);
      return next;
    });
  const number = new Intl.NumberFormat(locale);
  let body;
  if (q.loading && !q.data) body = <Loading />;
  else if (q.error && !q.data) body = <ErrorState error={q.error} onRetry={q.reload} />;
  else if (!rows.length) body = <Empty>{search ? t('offerings.noMatch', { q: search }) : t('offerings.empty')}</Empty>;
  else
    body = (
      <div className="table-wrap">
        <table className="table" aria-busy={q.loading || undefined}>
          <thead>
            <tr>
              <th scope="col" className="col-check">
                <span className="sr-only">{t('common.selectAll')}</span>
              </th>
              <th scope="col">{t('offerings.col.title')}</th>
              <th scope="col">{t('offerings.col.status')}</th>
              <th scope="col" className="num">
                {t('offerings.col.price')}
              </th>
              <th scope="col">{t('offerings.col.rating')}</th>
              <th scope="col">{t('queue.col.sync')}</th>
              <th scope="col">
                <span className="sr-only">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((o) => (
              <tr key={o.id}>
                <td className="col-check">
                  <input type="checkbox" aria-label={t('common.select', { name: o.title })} checked={selected.has(o.id)} onChange={() => toggle(o)} />
                </td>
                <td>
                  <strong>{o.title}</strong>
                  <div className="muted small">
                    {o.slug} · {t(`pricing.${o.pricingModel}` as MessageKey)}
                  </div>
                </td>
                <td>
                  <OfferingStatusBadge status={o.status} />
                </td>
                <td className="num">{formatMoney(o.basePriceCents, o.currency, locale)}</td>
                <td>{o.ratingAverage !== null ? t('offerings.rating', { avg: new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(o.ratingAverage), n: o.reviewCount }) : <span className="muted">{t('offerings.noRating')}</span>}</td>
                <td>
                  <SyncChip state={o.syncState} />
                </td>
                <td className="row-actions">
                  <button type="button" className="btn btn-small" onClick={() => setEditing(o)}>
                    {t('common.edit')}
                  </button>
                  {o.status === 'DRAFT' && (
                    <button type="button" className="btn btn-small btn-primary" onClick={() => void setStatus([o], 'PUBLISHED')}>
                      {t('offerings.publish')}
                    </button>
                  )}
                  {o.status !== 'ARCHIVED' && (
                    <button type="button" className="btn btn-small btn-ghost" onClick={() => void setStatus([o], 'ARCHIVED')}>
                      {t('offerings.archive')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  const first = page * OFFERINGS_PAGE;
  return (
    <section aria-label={t('catalogue.offerings')}>
      <div className="toolbar">
        <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
          {t('offerings.new')}
        </button>
        <button type="button" className="btn" disabled={!drafts.length} onClick={() => void setStatus(drafts, 'PUBLISHED')}>
          {drafts.length ? t('offerings.publishSelected', { n: drafts.length }) : t('offerings.publishNone')}
        </button>
        <label className="filter offerings-search">
          <span>{t('offerings.search')}</span>
          <input type="search" value={text} placeholder={t('offerings.searchPlaceholder')} onChange={(e) => setText(e.target.value)} />
        </label>
      </div>
      {body}
      {total > OFFERINGS_PAGE && (
        <nav className="pager" aria-label={t('offerings.pages')}>
          <span className="muted small" aria-live="polite">
            {t('offerings.range', { from: number.format(first + 1), to: number.format(Math.min(first + OFFERINGS_PAGE, total)), total: number.format(total) })}
          </span>
          <button type="button" className="btn btn-small" disabled={page === 0} onClick={() => setPage((p) => Math.max(0, p - 1))}>
            {t('common.previous')}
          </button>
          <button type="button" className="btn btn-small" disabled={first + OFFERINGS_PAGE >= total} onClick={() => setPage((p) => p + 1)}>
            {t('common.next')}
          </button>
        </nav>
      )}
      {editing && <OfferingForm offering={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
    </section>
  );
}

const pricingModels = ['HOURLY', 'DAILY', 'ONE_TIME', 'SUBSCRIPTION'] as const;
const policies = ['FLEXIBLE', 'MODERATE', 'STRICT'] as const;

// eslint-disable-next-line max-lines-per-function -- a React form: its hooks stay in one body, and most of its length is the labelled fields' JSX
function OfferingForm({ offering, onClose }: { offering: OfferingView | null; onClose: () => void }) {
  const { t } = useT();
  const toast = useApp((s) => s.toast);
  const currency = useApp((s) => s.session?.tenant?.displayCurrency ?? 'EUR');
  const [v, setV] = useState({
    title: offering?.title ?? '',
    slug: offering?.slug ?? '',
    description: offering?.description ?? '',
    status: (offering?.status ?? 'DRAFT') as OfferingStatus,
    productTypeKey: offering?.productTypeKey ?? 'service',
    price: offering ? (offering.basePriceCents / 100).toFixed(2) : '',
    currency: offering?.currency ?? currency,
    tax: offering ? String(offering.taxRateBps / 100) : '0',
    pricingModel: (pricingModels.find((p) => p === offering?.pricingModel) ?? 'ONE_TIME') as (typeof pricingModels)[number],
    cancellationPolicy: (policies.find((p) => p === offering?.cancellationPolicy) ?? 'FLEXIBLE') as (typeof policies)[number],
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const set = (patch: Partial<typeof v>) => setV((x) => ({ ...x, ...patch }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!v.title.trim()) errs.title = t('field.required');
    if (v.slug && !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(v.slug)) errs.slug = t('field.invalidSlug');
    if (!v.productTypeKey.trim()) errs.productTypeKey = t('field.required');
    const cents = parseMoneyInput(v.price);
    if (cents === null) errs.basePriceCents = t('field.invalidMoney');
    if (!/^[A-Z]{3}$/.test(v.currency)) errs.currency = t('field.invalidCurrency');
    const tax = Number(v.tax.replace(',', '.'));
    if (!Number.isFinite(tax) || tax < 0 || tax > 100) errs.taxRateBps = t('field.invalidPercent');
    setErrors(errs);
    if (Object.keys(errs).length) {
      setFormError(t('field.fixErrors'));
      return;
    }
    const fields = {
      title: v.title.trim(),
      ...(v.slug ? { slug: v.slug } : {}),
      description: v.description,
      status: v.status,
      productTypeKey: v.productTypeKey.trim(),
      basePriceCents: cents ?? 0,
      currency: v.currency,
      taxRateBps: Math.round(tax * 100),
      pricingModel: v.pricingModel,
      cancellationPolicy: v.cancellationPolicy,
    };
    setSaving(true);
    setFormError(null);
    try {
      if (offering) await api.call('offerings.patch', { id: offering.id, fields });
      else await api.call('offerings.create', { fields });
      toast({ kind: 'success', message: t(offering ? 'offerings.updated' : 'offerings.created', { name: fields.title }) });
      onClose();
    } catch (err) {
      setErrors(serverFieldErrors(err));
      setFormError(errorText(t, err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Dialog title={offering ? t('offerings.editTitle', { name: offering.title }) : t('offerings.createTitle')} onClose={onClose} wide>
      <form className="form" onSubmit={submit} noValidate>
        {formError && (
          <p className="notice notice-danger" role="alert">
            {formError}
          </p>
        )}
        <div className="form-row">
          <Field label={t('field.title')} error={errors.title}>
            {(p) => <input {...p} value={v.title} onChange={(e) => set({ title: e.target.value })} required maxLength={200} data-autofocus />}
          </Field>
          <Field label={t('field.slug')} error={errors.slug}>
            {(p) => <input {...p} value={v.slug} onChange={(e) => set({ slug: e.target.value })} maxLength={80} />}
          </Field>
        </div>
        <Field label={t('field.description')} error={errors.description}>
          {(p) => <textarea {...p} rows={3} value={v.description} onChange={(e) => set({ description: e.target.value })} />}
        </Field>
        <div className="form-row">
          <Field label={t('field.basePrice')} error={errors.basePriceCents}>
            {(p) => <input {...p} inputMode="decimal" value={v.price} onChange={(e) => set({ price: e.target.value })} required />}
          </Field>
          <Field label={t('field.currency')} error={errors.currency}>
            {(p) => <input {...p} value={v.currency} onChange={(e) => set({ currency: e.target.value.toUpperCase() })} maxLength={3} required />}
          </Field>
          <Field label={t('field.taxRate')} error={errors.taxRateBps}>
            {(p) => <input {...p} inputMode="decimal" value={v.tax} onChange={(e) => set({ tax: e.target.value })} />}
          </Field>
        </div>
        <div className="form-row">
          <Field label={t('field.productTypeKey')} error={errors.productTypeKey}>
            {(p) => <input {...p} value={v.productTypeKey} onChange={(e) => set({ productTypeKey: e.target.value })} maxLength={40} required />}
          </Field>
          <Field label={t('field.pricingModel')} error={errors.pricingModel}>
            {(p) => (
              <select {...p} value={v.pricingModel} onChange={(e) => set({ pricingModel: e.target.value as typeof v.pricingModel })}>
                {pricingModels.map((m) => (
                  <option key={m} value={m}>
                    {t(`pricing.${m}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('field.cancellationPolicy')} error={errors.cancellationPolicy}>
            {(p) => (
              <select {...p} value={v.cancellationPolicy} onChange={(e) => set({ cancellationPolicy: e.target.value as typeof v.cancellationPolicy })}>
                {policies.map((m) => (
                  <option key={m} value={m}>
                    {t(`policy.${m}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('field.status')} error={errors.status}>
            {(p) => (
              <select {...p} value={v.status} onChange={(e) => set({ status: e.target.value as OfferingStatus })}>
                {(['DRAFT', 'PUBLISHED', 'ARCHIVED'] as const).map((m) => (
                  <option key={m} value={m}>
                    {t(`offeringStatus.${m}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <div className="form-actions">
          <button type="button" className="btn" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={saving}>
            {offering ? t('common.save') : t('common.create')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

// ------------------------------------------------------------------------------------------ coupons

function discountText(c: CouponView, locale: string, fallbackCurrency: string): string {
  return c.kind === 'PERCENT' ? `${c.amount} %` : formatMoney(c.amount, c.currency ?? fallbackCurrency, locale);
}

// eslint-disable-next-line max-lines-per-function -- a React tab: its hooks stay in one body, and most of its length is the table's JSX
function CouponsTab() {
  const { t, locale } = useT();
  const tz = useTimezone();
  const toast = useApp((s) => s.toast);
  const pending = useApp((s) => s.pendingCommand);
  const setPending = useApp((s) => s.setPendingCommand);
  const q = useQuery('coupons.list', {}, ['coupons', 'intents', 'conflicts']);
  const tenantCurrency = useApp((s) => s.session?.tenant?.displayCurrency ?? 'EUR');
  const [editing, setEditing] = useState<CouponView | 'new' | null>(null);
  useEffect(() => {
    if (pending === 'newCoupon') {
      setEditing('new');
      setPending(null);
    }
  }, [pending, setPending]);
  const setActive = async (c: CouponView, active: boolean) => {
    try {
      await api.call('coupons.patch', { id: c.id, fields: { active } });
      toast({ kind: 'success', message: t(active ? 'coupons.activated' : 'coupons.deactivated', { code: c.code }) });
    } catch (err) {
      toast({ kind: 'error', message: errorText(t, err) });
    }
  };
  const rows = (q.data ?? []).filter((c) => !c.deleted);
  let body;
  if (q.loading && !q.data) body = <Loading />;
  else if (q.error && !q.data) body = <ErrorState error={q.error} onRetry={q.reload} />;
  else if (!rows.length) body = <Empty>{t('coupons.empty')}</Empty>;
  else
    body = (
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('coupons.col.code')}</th>
              <th scope="col">{t('coupons.col.discount')}</th>
              <th scope="col">{t('coupons.col.valid')}</th>
              <th scope="col">{t('coupons.col.redeemed')}</th>
              <th scope="col">{t('coupons.col.active')}</th>
              <th scope="col">
                <span className="sr-only">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((c) => {
              const pct = c.maxRedemptions ? Math.min(100, Math.round((c.redeemedCount / c.maxRedemptions) * 100)) : null;
              return (
                <tr key={c.id}>
                  <td>
                    <code className="code">{c.code}</code>
                  </td>
                  <td>
                    {discountText(c, locale, tenantCurrency)}
                    {c.minSubtotalCents > 0 && <div className="muted small">{t('coupons.minSpend', { amount: formatMoney(c.minSubtotalCents, c.currency ?? tenantCurrency, locale) })}</div>}
                  </td>
                  <td className="small">{c.validFrom || c.validUntil ? `${c.validFrom ? formatDate(c.validFrom, tz, locale) : '…'} – ${c.validUntil ? formatDate(c.validUntil, tz, locale) : '…'}` : t('coupons.always')}</td>
                  <td className="redeem-cell">
                    {c.maxRedemptions ? (
                      <>
                        <div className="small">{t('coupons.redeemed', { n: c.redeemedCount, max: c.maxRedemptions })}</div>
                        <div className="meter" role="progressbar" aria-valuemin={0} aria-valuemax={c.maxRedemptions} aria-valuenow={c.redeemedCount} aria-label={t('coupons.redeemed', { n: c.redeemedCount, max: c.maxRedemptions })}>
                          <span className={pct !== null && pct >= 90 ? 'meter-fill meter-hot' : 'meter-fill'} style={{ width: `${pct ?? 0}%` }} />
                        </div>
                      </>
                    ) : (
                      <span className="small">{t('coupons.unlimited', { n: c.redeemedCount })}</span>
                    )}
                  </td>
                  <td>
                    <span className={c.active ? 'chip chip-ok' : 'chip chip-muted'}>{c.active ? t('coupons.active') : t('coupons.inactive')}</span> <SyncChip state={c.syncState} />
                  </td>
                  <td className="row-actions">
                    <button type="button" className="btn btn-small" onClick={() => setEditing(c)}>
                      {t('common.edit')}
                    </button>
                    <button type="button" className="btn btn-small btn-ghost" onClick={() => void setActive(c, !c.active)}>
                      {c.active ? t('coupons.deactivate') : t('coupons.activate')}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    );
  return (
    <section aria-label={t('catalogue.coupons')}>
      <div className="toolbar">
        <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
          {t('coupons.new')}
        </button>
      </div>
      {body}
      {editing && <CouponForm coupon={editing === 'new' ? null : editing} onClose={() => setEditing(null)} t={t} />}
    </section>
  );
}

// eslint-disable-next-line max-lines-per-function -- a React form: its hooks stay in one body, and most of its length is the labelled fields' JSX
function CouponForm({ coupon, onClose, t }: { coupon: CouponView | null; onClose: () => void; t: T }) {
  const toast = useApp((s) => s.toast);
  const tz = useTimezone();
  const currency = useApp((s) => s.session?.tenant?.displayCurrency ?? 'EUR');
  const [v, setV] = useState({
    code: coupon?.code ?? '',
    kind: coupon?.kind ?? ('PERCENT' as 'PERCENT' | 'FIXED'),
    amount: coupon ? (coupon.kind === 'FIXED' ? (coupon.amount / 100).toFixed(2) : String(coupon.amount)) : '',
    max: coupon?.maxRedemptions ? String(coupon.maxRedemptions) : '',
    minSubtotal: coupon ? (coupon.minSubtotalCents / 100).toFixed(2) : '0',
    validFrom: coupon?.validFrom ? toZonedInput(coupon.validFrom, tz) : '',
    validUntil: coupon?.validUntil ? toZonedInput(coupon.validUntil, tz) : '',
    active: coupon?.active ?? true,
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const set = (patch: Partial<typeof v>) => setV((x) => ({ ...x, ...patch }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    const code = v.code.trim().toUpperCase();
    if (code.length < 3) errs.code = t('field.required');
    let amount: number | null = null;
    if (v.kind === 'PERCENT') {
      const n = Number(v.amount);
      if (!Number.isInteger(n) || n < 1 || n > 100) errs.amount = t('field.invalidPercent');
      else amount = n;
    } else {
      amount = parseMoneyInput(v.amount);
      if (!amount) errs.amount = t('field.invalidMoney');
    }
    let max: number | null = null;
    if (v.max.trim()) {
      const n = Number(v.max);
      if (!Number.isInteger(n) || n < 1) errs.maxRedemptions = t('field.invalidNumber', { min: 1 });
      else max = n;
    }
    const minSub = parseMoneyInput(v.minSubtotal || '0');
    if (minSub === null) errs.minSubtotalCents = t('field.invalidMoney');
    const validFrom = v.validFrom ? fromZonedInput(v.validFrom, tz) : null;
    const validUntil = v.validUntil ? fromZonedInput(v.validUntil, tz) : null;
    setErrors(errs);
    if (Object.keys(errs).length || amount === null) {
      setFormError(t('field.fixErrors'));
      return;
    }
    const fields = { code, kind: v.kind, amount, currency: v.kind === 'FIXED' ? currency : null, maxRedemptions: max, minSubtotalCents: minSub ?? 0, validFrom, validUntil, active: v.active };
    setSaving(true);
    setFormError(null);
    try {
      if (coupon) await api.call('coupons.patch', { id: coupon.id, fields });
      else await api.call('coupons.create', { fields });
      toast({ kind: 'success', message: t('coupons.saved', { code }) });
      onClose();
    } catch (err) {
      setErrors(serverFieldErrors(err));
      setFormError(errorText(t, err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Dialog title={coupon ? t('coupons.editTitle', { code: coupon.code }) : t('coupons.createTitle')} onClose={onClose} wide>
      <form className="form" onSubmit={submit} noValidate>
        {formError && (
          <p className="notice notice-danger" role="alert">
            {formError}
          </p>
        )}
        <div className="form-row">
          <Field label={t('coupons.code')} error={errors.code}>
            {(p) => <input {...p} value={v.code} onChange={(e) => set({ code: e.target.value.toUpperCase() })} maxLength={40} required data-autofocus />}
          </Field>
          <Field label={t('coupons.kind')} error={errors.kind}>
            {(p) => (
              <select {...p} value={v.kind} onChange={(e) => set({ kind: e.target.value as 'PERCENT' | 'FIXED' })}>
                <option value="PERCENT">{t('coupons.kind.PERCENT')}</option>
                <option value="FIXED">{t('coupons.kind.FIXED')}</option>
              </select>
            )}
          </Field>
          <Field label={v.kind === 'PERCENT' ? t('coupons.amountPercent') : `${t('coupons.amountFixed')} (${currency})`} error={errors.amount}>
            {(p) => <input {...p} inputMode="decimal" value={v.amount} onChange={(e) => set({ amount: e.target.value })} required />}
          </Field>
        </div>
        <div className="form-row">
          <Field label={t('coupons.maxRedemptions')} error={errors.maxRedemptions}>
            {(p) => <input {...p} inputMode="numeric" value={v.max} onChange={(e) => set({ max: e.target.value })} />}
          </Field>
          <Field label={`${t('coupons.minSubtotal')} (${currency})`} error={errors.minSubtotalCents}>
            {(p) => <input {...p} inputMode="decimal" value={v.minSubtotal} onChange={(e) => set({ minSubtotal: e.target.value })} />}
          </Field>
        </div>
        <div className="form-row">
          <Field label={`${t('coupons.validFrom')} (${tz})`} error={errors.validFrom}>
            {(p) => <input {...p} type="datetime-local" value={v.validFrom} onChange={(e) => set({ validFrom: e.target.value })} />}
          </Field>
          <Field label={`${t('coupons.validUntil')} (${tz})`} error={errors.validUntil}>
            {(p) => <input {...p} type="datetime-local" value={v.validUntil} onChange={(e) => set({ validUntil: e.target.value })} />}
          </Field>
        </div>
        <label className="check">
          <input type="checkbox" checked={v.active} onChange={(e) => set({ active: e.target.checked })} /> {t('coupons.active')}
        </label>
        <div className="form-actions">
          <button type="button" className="btn" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={saving}>
            {coupon ? t('common.save') : t('common.create')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
