/**
 * The Rules screen's form: a new rule's scope, conditions and action, its preview over the replica's
 * history (numbers and the list), and saving it switched off. The core validates the rule with the
 * contract's schema; a refused field is shown under its input.
 */
import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import type { RuleConditions, RuleInput, RulePreview } from '../../../shared/contract/types.ts';
import { api, toContractError } from '../api.ts';
import { OfferingChecklist, useAnyOffering } from '../components/OfferingChecklist.tsx';
import { BookingStatusBadge, Field, errorText } from '../components/ui.tsx';
import { useT } from '../i18n/index.ts';
import { formatDateTime, formatWeekday, parseMoneyInput } from '../lib/format.ts';
import { useApp } from '../store/app.ts';

interface Draft {
  name: string;
  all: boolean;
  picked: ReadonlySet<string>;
  maxRiskScore: string;
  notHeld: boolean;
  noOverlap: boolean;
  minLeadHours: string;
  maxLeadHours: string;
  maxTotal: string;
  minCompletedBookings: string;
  allowList: string;
  weekdays: ReadonlySet<number>;
  startTimeFrom: string;
  startTimeTo: string;
  action: 'approve' | 'flag';
  dailyCap: string;
  days: string;
}

const emptyDraft: Draft = {
  name: '',
  all: true,
  picked: new Set(),
  maxRiskScore: '30',
  notHeld: true,
  noOverlap: true,
  minLeadHours: '',
  maxLeadHours: '',
  maxTotal: '',
  minCompletedBookings: '',
  allowList: '',
  weekdays: new Set(),
  startTimeFrom: '',
  startTimeTo: '',
  action: 'approve',
  dailyCap: '',
  days: '30',
};

type FieldErrors = Partial<Record<keyof Draft | 'conditions' | 'form', string>>;

/** A number typed in an input ('' → absent; what is not a number is sent as it is, for the schema to refuse). */
const num = (s: string): number | undefined => (s.trim() === '' ? undefined : Number(s.trim().replace(',', '.')));

/** The rule as the contract takes it, from what the form holds. */
function toRule(d: Draft): RuleInput {
  const c: RuleConditions = {};
  const set = <K extends keyof RuleConditions>(k: K, v: RuleConditions[K] | undefined) => {
    if (v !== undefined) c[k] = v;
  };
  set('maxRiskScore', num(d.maxRiskScore));
  if (d.notHeld) c.notHeld = true;
  if (d.noOverlap) c.noOverlap = true;
  set('minLeadHours', num(d.minLeadHours));
  set('maxLeadHours', num(d.maxLeadHours));
  if (d.maxTotal.trim()) c.maxTotalCents = parseMoneyInput(d.maxTotal) ?? Number.NaN;
  set('minCompletedBookings', num(d.minCompletedBookings));
  const allow = d.allowList.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (allow.length) c.allowList = allow;
  if (d.weekdays.size) c.weekdays = [...d.weekdays].sort();
  if (d.startTimeFrom) c.startTimeFrom = d.startTimeFrom;
  if (d.startTimeTo) c.startTimeTo = d.startTimeTo;
  const cap = num(d.dailyCap);
  return { name: d.name.trim(), offeringIds: d.all ? [] : [...d.picked], conditions: c, action: d.action, dailyCap: cap ?? null };
}

const fieldOfPath: Record<string, keyof Draft | 'conditions'> = {
  'rule.name': 'name',
  'rule.offeringIds': 'picked',
  'rule.conditions': 'conditions',
  'rule.conditions.maxRiskScore': 'maxRiskScore',
  'rule.conditions.minLeadHours': 'minLeadHours',
  'rule.conditions.maxLeadHours': 'maxLeadHours',
  'rule.conditions.maxTotalCents': 'maxTotal',
  'rule.conditions.minCompletedBookings': 'minCompletedBookings',
  'rule.conditions.allowList': 'allowList',
  'rule.conditions.weekdays': 'weekdays',
  'rule.conditions.startTimeFrom': 'startTimeFrom',
  'rule.conditions.startTimeTo': 'startTimeTo',
  'rule.dailyCap': 'dailyCap',
  days: 'days',
};

/** The form's state, its two calls and its layout; over 80 lines as the layout is one JSX tree of labelled fields. */
// eslint-disable-next-line max-lines-per-function -- the layout is one JSX tree of labelled fields (see the comment above)
export function RuleForm({ currency, onSaved }: { currency: string; onSaved: () => void }) {
  const { t } = useT();
  const toast = useApp((s) => s.toast);
  const [d, setD] = useState<Draft>(emptyDraft);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [preview, setPreview] = useState<RulePreview | null>(null);
  const [busy, setBusy] = useState(false);
  const update = (patch: Partial<Draft>) => setD((prev) => ({ ...prev, ...patch }));

  /** Runs a call with the draft; a refusal is shown under the fields it names. */
  const run = async <R,>(call: (rule: RuleInput) => Promise<R>): Promise<R | null> => {
    const rule = toRule(d);
    if (!rule.name) {
      setErrors({ name: t('field.required') });
      return null;
    }
    setBusy(true);
    setErrors({});
    try {
      return await call(rule);
    } catch (err) {
      const e = toContractError(err);
      const next: FieldErrors = {};
      for (const f of e.fields ?? []) {
        const key = fieldOfPath[f.path];
        if (key === 'conditions') next.conditions = t('rules.needCondition');
        else if (key) next[key] = f.message;
      }
      next.form = e.fields?.length ? t('rules.invalid', { fields: e.fields.map((f) => f.path.replace(/^rule\./, '')).join(', ') }) : errorText(t, err);
      setErrors(next);
      return null;
    } finally {
      setBusy(false);
    }
  };
  const doPreview = async () => {
    const days = num(d.days) ?? 30;
    const p = await run((rule) => api.call('rules.preview', { rule, days }));
    if (p) setPreview(p);
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const saved = await run((rule) => api.call('rules.add', { rule: { ...rule, enabled: false } }));
    if (!saved) return;
    toast({ kind: 'success', message: t('rules.saved', { name: saved.name }) });
    setD(emptyDraft);
    setPreview(null);
    onSaved();
  };

  return (
    <form className="card form rules-form" onSubmit={(e) => void save(e)} noValidate aria-labelledby="rules-new">
      <h2 id="rules-new" className="h2">
        {t('rules.new')}
      </h2>
      <div className="form-row">
        <Field label={t('rules.name')} error={errors.name ?? null}>
          {(p) => <input {...p} type="text" value={d.name} maxLength={120} onChange={(e) => update({ name: e.currentTarget.value })} />}
        </Field>
      </div>
      <OfferingsPicker d={d} update={update} error={errors.picked ?? null} />
      <ConditionFields d={d} update={update} errors={errors} currency={currency} />
      <fieldset className="radio-group">
        <legend>{t('rules.field.action')}</legend>
        <label className="radio">
          <input type="radio" name="rule-action" checked={d.action === 'approve'} onChange={() => update({ action: 'approve' })} />
          {t('rules.field.approve')}
        </label>
        <label className="radio">
          <input type="radio" name="rule-action" checked={d.action === 'flag'} onChange={() => update({ action: 'flag' })} />
          {t('rules.field.flag')}
        </label>
      </fieldset>
      <div className="form-row">
        <Field label={t('rules.field.dailyCap')} hint={t('rules.field.empty')} error={errors.dailyCap ?? null}>
          {(p) => <input {...p} type="number" min={1} inputMode="numeric" value={d.dailyCap} onChange={(e) => update({ dailyCap: e.currentTarget.value })} />}
        </Field>
        <Field label={t('rules.previewDays')} error={errors.days ?? null}>
          {(p) => <input {...p} type="number" min={1} max={3660} inputMode="numeric" value={d.days} onChange={(e) => update({ days: e.currentTarget.value })} />}
        </Field>
      </div>
      {errors.form && (
        <p className="field-error" role="alert">
          {errors.form}
        </p>
      )}
      <div className="form-actions form-actions-start">
        <button type="button" className="btn" disabled={busy} onClick={() => void doPreview()}>
          {t('rules.preview')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {t('rules.save')}
        </button>
      </div>
      {preview && <PreviewPanel preview={preview} action={d.action} />}
    </form>
  );
}

function OfferingsPicker({ d, update, error }: { d: Draft; update: (p: Partial<Draft>) => void; error: string | null }) {
  const { t } = useT();
  const any = useAnyOffering();
  return (
    <fieldset className="radio-group">
      <legend>{t('rules.offerings')}</legend>
      <label className="radio">
        <input type="radio" name="rule-offerings" checked={d.all} onChange={() => update({ all: true })} />
        {t('rules.allOfferings')}
      </label>
      <label className="radio">
        <input type="radio" name="rule-offerings" checked={!d.all} onChange={() => update({ all: false })} disabled={!any && d.picked.size === 0} />
        {t('rules.chooseOfferings')}
      </label>
      {!d.all && <OfferingChecklist picked={d.picked} onChange={(picked) => update({ picked })} label={t('rules.chooseOfferings')} />}
      {error && <p className="field-error">{error}</p>}
    </fieldset>
  );
}

/** Every condition's input; long because each one is a labelled field (no logic beyond the inputs). */
function ConditionFields({ d, update, errors, currency }: { d: Draft; update: (p: Partial<Draft>) => void; errors: FieldErrors; currency: string }) {
  const { t, locale } = useT();
  const numberField = (key: 'maxRiskScore' | 'minLeadHours' | 'maxLeadHours' | 'minCompletedBookings', label: string) => (
    <Field label={label} error={errors[key] ?? null}>
      {(p) => <input {...p} type="number" min={0} inputMode="decimal" value={d[key]} onChange={(e) => update({ [key]: e.currentTarget.value })} />}
    </Field>
  );
  const toggleDay = (day: number) => {
    const next = new Set(d.weekdays);
    if (next.has(day)) next.delete(day);
    else next.add(day);
    update({ weekdays: next });
  };
  return (
    <fieldset className="rules-conditions-fields">
      <legend>{t('rules.conditions')}</legend>
      {errors.conditions && <p className="field-error">{errors.conditions}</p>}
      <div className="form-row">
        {numberField('maxRiskScore', t('rules.field.maxRiskScore'))}
        <Field label={t('rules.field.maxTotal', { currency })} error={errors.maxTotal ?? null}>
          {(p) => <input {...p} type="text" inputMode="decimal" value={d.maxTotal} onChange={(e) => update({ maxTotal: e.currentTarget.value })} />}
        </Field>
      </div>
      <label className="check">
        <input type="checkbox" checked={d.notHeld} onChange={(e) => update({ notHeld: e.currentTarget.checked })} />
        {t('rules.field.notHeld')}
      </label>
      <label className="check">
        <input type="checkbox" checked={d.noOverlap} onChange={(e) => update({ noOverlap: e.currentTarget.checked })} />
        {t('rules.field.noOverlap')}
      </label>
      <div className="form-row">
        {numberField('minLeadHours', t('rules.field.minLeadHours'))}
        {numberField('maxLeadHours', t('rules.field.maxLeadHours'))}
      </div>
      <div className="form-row">
        {numberField('minCompletedBookings', t('rules.field.minCompleted'))}
        <Field label={t('rules.field.allowList')} hint={t('rules.field.customerHint')} error={errors.allowList ?? null}>
          {(p) => <textarea {...p} rows={2} value={d.allowList} onChange={(e) => update({ allowList: e.currentTarget.value })} />}
        </Field>
      </div>
      <fieldset className="rules-weekdays">
        <legend>{t('rules.field.weekdays')}</legend>
        {[1, 2, 3, 4, 5, 6, 0].map((day) => (
          <label key={day} className="check">
            <input type="checkbox" checked={d.weekdays.has(day)} onChange={() => toggleDay(day)} />
            {formatWeekday(day, locale, 'short')}
          </label>
        ))}
        {errors.weekdays && <p className="field-error">{errors.weekdays}</p>}
      </fieldset>
      <div className="form-row">
        <Field label={t('rules.field.timeFrom')} error={errors.startTimeFrom ?? null}>
          {(p) => <input {...p} type="time" value={d.startTimeFrom} onChange={(e) => update({ startTimeFrom: e.currentTarget.value })} />}
        </Field>
        <Field label={t('rules.field.timeTo')} error={errors.startTimeTo ?? null}>
          {(p) => <input {...p} type="time" value={d.startTimeTo} onChange={(e) => update({ startTimeTo: e.currentTarget.value })} />}
        </Field>
      </div>
    </fieldset>
  );
}

const SHOWN = 50;

function PreviewPanel({ preview, action }: { preview: RulePreview; action: 'approve' | 'flag' }) {
  const { t, locale } = useT();
  const tz = useApp((s) => s.session?.tenant?.timezone ?? 'UTC');
  const numbers: Array<[string, number]> = [
    [t('rules.pv.considered'), preview.considered],
    [t(action === 'approve' ? 'rules.pv.matchedApprove' : 'rules.pv.matchedFlag'), preview.matched],
    [t('rules.pv.cancelled'), preview.cancelledByCustomer],
    [t('rules.pv.disputed'), preview.disputed],
    [t('rules.pv.overlapped'), preview.overlapped],
  ];
  const nf = new Intl.NumberFormat(locale);
  const heading = useRef<HTMLHeadingElement>(null);
  // A new preview is brought into view and focused (it appears below the buttons, often off screen).
  useEffect(() => {
    heading.current?.scrollIntoView({ block: 'start' });
    heading.current?.focus({ preventScroll: true });
  }, [preview]);
  return (
    <section className="rules-preview" aria-labelledby="rules-preview-title">
      <h3 id="rules-preview-title" className="h3" tabIndex={-1} ref={heading}>
        {t('rules.previewTitle', { n: preview.days })}
      </h3>
      <dl className="rules-numbers">
        {numbers.map(([label, n]) => (
          <div key={label} className="rules-number">
            <dt>{label}</dt>
            <dd>{nf.format(n)}</dd>
          </div>
        ))}
      </dl>
      {preview.items.length === 0 ? (
        <p className="muted">{t('rules.pv.none')}</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="sr-only">{t('rules.previewTitle', { n: preview.days })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('rules.pv.col.customer')}</th>
                <th scope="col">{t('rules.pv.col.starts')}</th>
                <th scope="col">{t('rules.pv.col.status')}</th>
                <th scope="col">{t('rules.pv.col.risk')}</th>
                <th scope="col">{t('rules.pv.col.notes')}</th>
              </tr>
            </thead>
            <tbody>
              {preview.items.slice(0, SHOWN).map((i) => (
                <tr key={i.bookingId}>
                  <th scope="row" className="rules-row-head">
                    <a href={`#/booking/${encodeURIComponent(i.bookingId)}`}>{i.customerName}</a>
                    <span className="muted"> · {i.offeringTitle}</span>
                  </th>
                  <td className="nowrap">{i.startsAt ? formatDateTime(i.startsAt, tz, locale) : '—'}</td>
                  <td>
                    <BookingStatusBadge status={i.status} />
                  </td>
                  <td>{i.riskScore ?? '—'}</td>
                  <td>{[i.cancelledByCustomer ? t('rules.pv.cancelledShort') : '', i.disputed ? t('rules.pv.disputedShort') : '', i.overlapped ? t('rules.pv.overlappedShort') : ''].filter(Boolean).join(' · ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {preview.matched > SHOWN && <p className="muted small">{t('rules.pv.more', { n: preview.matched - Math.min(SHOWN, preview.items.length) })}</p>}
    </section>
  );
}
