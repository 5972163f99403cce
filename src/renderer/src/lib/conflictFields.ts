/**
 * Needs attention compares what the console asked with what the server has now. Both sides arrive
 * as JSON (the local view and the API's record); this turns them into the few fields a person
 * compares — status, customer, slot in the business's zone, total, payment — formatted, with the
 * internal ones (sync state, server status, raw ids, versions) left out. Raw JSON stays available
 * behind "Technical details".
 */
import type { IntentKind } from '../../../shared/contract/types.ts';
import type { MessageKey, T } from '../i18n/translate.ts';
import { formatDateTime, formatMoney, formatSlot } from './format.ts';

export interface ComparedField {
  key: string;
  label: string;
  asked: string;
  server: string | null;
  differs: boolean;
}

type Rec = Record<string, unknown>;

const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const arr = (v: unknown): Rec[] => (Array.isArray(v) ? v.filter(isRec) : []);

interface Ctx {
  t: T;
  locale: string;
  tz: string;
  currency: string;
}

function translated(t: T, prefix: string, value: unknown): string | null {
  const s = str(value);
  if (!s) return null;
  const key = `${prefix}.${s}` as MessageKey;
  const out = t(key);
  return out === key ? s : out;
}

type Getter = (r: Rec, c: Ctx) => string | null;

const bookingFields: Array<[string, MessageKey, Getter]> = [
  ['status', 'compare.status', (r, c) => translated(c.t, 'bookingStatus', r['status'])],
  ['customer', 'compare.customer', (r) => (isRec(r['customer']) ? str(r['customer']['name']) : null)],
  ['offering', 'compare.offering', (r) => str(r['offeringTitle'])],
  [
    'slot',
    'compare.slot',
    (r, c) => {
      const slots = arr(r['items']).flatMap((i) => {
        const s = str(i['startsAt']);
        const e = str(i['endsAt']);
        return s && e ? [formatSlot(s, e, c.tz, c.locale)] : [];
      });
      return slots.length ? slots.join('; ') : null;
    },
  ],
  [
    'total',
    'compare.total',
    (r, c) => {
      const cents = num(r['totalCents']);
      return cents === null ? null : formatMoney(cents, str(r['currency']) ?? c.currency, c.locale);
    },
  ],
  [
    'payment',
    'compare.payment',
    (r, c) => {
      const ps = arr(r['payments']);
      if (!Array.isArray(r['payments'])) return null;
      if (!ps.length) return c.t('compare.noPayment');
      return ps
        .map((p) => {
          const amount = num(p['amountCents']);
          const status = translated(c.t, 'paymentStatus', p['status']) ?? '—';
          return amount === null ? status : `${status} · ${formatMoney(amount, str(p['currency']) ?? str(r['currency']) ?? c.currency, c.locale)}`;
        })
        .join('; ');
    },
  ],
  ['cancelReason', 'compare.cancelReason', (r, c) => cancelReasonText(r, c)],
  ['notes', 'compare.notes', (r) => str(r['notes'])],
];

function cancelReasonText(r: Rec, c: Ctx): string | null {
  const raw = str(r['cancelReason']);
  if (!raw) return null;
  const [code, ...rest] = raw.split(':');
  const known = translated(c.t, 'reason', code?.trim());
  const note = rest.join(':').trim();
  return known && known !== code?.trim() ? (note ? `${known}: ${note}` : known) : raw;
}

const offeringFields: Array<[string, MessageKey, Getter]> = [
  ['title', 'field.title', (r) => str(r['title'])],
  ['status', 'compare.status', (r, c) => translated(c.t, 'offeringStatus', r['status'])],
  [
    'price',
    'field.basePrice',
    (r, c) => {
      const cents = num(r['basePriceCents']);
      return cents === null ? null : formatMoney(cents, str(r['currency']) ?? c.currency, c.locale);
    },
  ],
  ['tax', 'field.taxRate', (r) => (num(r['taxRateBps']) === null ? null : `${(num(r['taxRateBps'])! / 100).toLocaleString()} %`)],
  ['pricing', 'field.pricingModel', (r, c) => translated(c.t, 'pricing', r['pricingModel'])],
  ['policy', 'field.cancellationPolicy', (r, c) => translated(c.t, 'policy', r['cancellationPolicy'])],
  ['deleted', 'compare.deleted', (r, c) => (r['deleted'] === true || str(r['deletedAt']) ? c.t('compare.yes') : null)],
];

const couponFields: Array<[string, MessageKey, Getter]> = [
  ['code', 'coupons.code', (r) => str(r['code'])],
  [
    'discount',
    'coupons.col.discount',
    (r, c) => {
      const amount = num(r['amount']);
      if (amount === null) return null;
      return r['kind'] === 'PERCENT' ? `${amount} %` : formatMoney(amount, str(r['currency']) ?? c.currency, c.locale);
    },
  ],
  ['validFrom', 'coupons.validFrom', (r, c) => (str(r['validFrom']) ? formatDateTime(str(r['validFrom'])!, c.tz, c.locale) : null)],
  ['validUntil', 'coupons.validUntil', (r, c) => (str(r['validUntil']) ? formatDateTime(str(r['validUntil'])!, c.tz, c.locale) : null)],
  ['max', 'compare.maxRedemptions', (r) => (num(r['maxRedemptions']) === null ? null : String(num(r['maxRedemptions'])))],
  ['active', 'coupons.col.active', (r, c) => (typeof r['active'] === 'boolean' ? c.t(r['active'] ? 'coupons.active' : 'coupons.inactive') : null)],
  ['deleted', 'compare.deleted', (r, c) => (r['deleted'] === true || str(r['deletedAt']) ? c.t('compare.yes') : null)],
];

function fieldsFor(kind: IntentKind): Array<[string, MessageKey, Getter]> {
  if (kind.startsWith('booking.')) return bookingFields;
  if (kind.startsWith('offering.')) return offeringFields;
  return couponFields;
}

/**
 * The curated comparison. A field appears when either side has it; `server` is null when the
 * server did not send its record at all.
 */
export function compareRecords(kind: IntentKind, asked: unknown, server: unknown, ctx: Ctx): ComparedField[] {
  const a = isRec(asked) ? asked : {};
  const s = isRec(server) ? server : null;
  const out: ComparedField[] = [];
  for (const [key, label, get] of fieldsFor(kind)) {
    const av = get(a, ctx);
    const sv = s ? get(s, ctx) : null;
    if (av === null && sv === null) continue;
    out.push({ key, label: ctx.t(label, { tz: ctx.tz }), asked: av ?? '—', server: s ? (sv ?? '—') : null, differs: s !== null && (av ?? '') !== (sv ?? '') });
  }
  return out;
}

/** The card's heading in the user's language, naming the record by what a person knows it by. */
export function conflictTitle(kind: IntentKind, asked: unknown, server: unknown, t: T, fallback: string): string {
  const a = isRec(asked) ? asked : {};
  const s = isRec(server) ? server : {};
  const pick = (get: (r: Rec) => string | null) => get(a) ?? get(s);
  const name = kind.startsWith('booking.')
    ? pick((r) => (isRec(r['customer']) ? str(r['customer']['name']) : null))
    : kind.startsWith('offering.')
      ? pick((r) => str(r['title']))
      : pick((r) => str(r['code']));
  if (!name) return fallback;
  const what = kind.startsWith('booking.') ? pick((r) => str(r['offeringTitle'])) : null;
  const key = `attention.kind.${kind}` as MessageKey;
  const text = t(key, { name, what: what ?? '' });
  return text === key ? fallback : text.replace(/\s*\(\)$/, '');
}

/**
 * Why the server refused, in the user's language for the refusals we know (the server's own
 * message, which names raw ids, stays under Technical details); the server's message otherwise.
 */
export function conflictReason(code: string, message: string, server: unknown, t: T): string {
  const key = `attention.why.${code}` as MessageKey;
  const status = isRec(server) ? translated(t, 'bookingStatus', server['status']) : null;
  const text = t(key, { status: status ? status.toLowerCase() : '?', message });
  return text === key ? message : text;
}
