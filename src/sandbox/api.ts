import type { Store, WriteScope } from './store.ts';
import type { Booking, Coupon, Offering, Scope, Tenant } from './types.ts';
import { ApiError, newId, notFound } from './util.ts';
import { Checker, bool, checkKeys, instant, int, oneOf, requireObject, str } from './validate.ts';
import { addDays, daysBetween, fromLocal, hhmmToMinutes, isValidDate, weekdayOf } from './tz.ts';

export interface RequestCtx {
  store: Store;
  tenant: Tenant;
  keyId: string;
  scopes: Scope[];
  params: string[];
  query: URLSearchParams;
  body: unknown;
  w: WriteScope;
}

export interface Answer {
  status: number;
  body: string;
}

type Handler = (ctx: RequestCtx) => Answer;

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  pattern: RegExp;
  handler: Handler;
}

const ok = (value: unknown, status = 200): Answer => ({ status, body: JSON.stringify(value) });

const PRODUCT_TYPES = ['space', 'class', 'service', 'vehicle', 'equipment', 'taxi'] as const;
const OFFERING_STATUSES = ['DRAFT', 'PUBLISHED', 'ARCHIVED'] as const;
const PRICING = ['HOURLY', 'DAILY', 'ONE_TIME', 'SUBSCRIPTION'] as const;
const POLICIES = ['FLEXIBLE', 'MODERATE', 'STRICT'] as const;
const BOOKING_STATUSES = ['PENDING', 'CONFIRMED', 'COMPLETED', 'CANCELLED', 'REFUNDED'] as const;
const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

// ---- lists -------------------------------------------------------------------------------------

function parseLimit(query: URLSearchParams): number {
  const raw = query.get('limit');
  if (raw === null) return 50;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new ApiError(400, 'BAD_REQUEST', `limit must be a whole number ≥ 1, got "${raw}".`);
  return Math.min(Number(raw), 500);
}

function parseCursor(query: URLSearchParams): { seq: number; raw: string | null } {
  const raw = query.get('cursor');
  if (raw === null || raw === '') return { seq: 0, raw: null };
  const m = /^c_(\d{1,15})$/.exec(raw);
  if (!m) throw new ApiError(400, 'BAD_REQUEST', `cursor "${raw}" is not a cursor this server issued.`);
  return { seq: Number(m[1]), raw };
}

function parseBool(query: URLSearchParams, name: string): boolean {
  const raw = query.get(name);
  if (raw === null || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new ApiError(400, 'BAD_REQUEST', `${name} must be true or false, got "${raw}".`);
}

/** One page of the change feed: rows with seq > cursor, oldest change first, assembled from stored docs. */
function page(ctx: RequestCtx, table: 'offerings' | 'bookings' | 'coupons', filters: string[], args: unknown[]): Answer {
  const limit = parseLimit(ctx.query);
  const cursor = parseCursor(ctx.query);
  const where = ['tenant_id = ?', 'seq > ?', ...filters].join(' AND ');
  const rows = ctx.store.db
    .prepare(`SELECT seq, doc FROM ${table} WHERE ${where} ORDER BY seq LIMIT ?`)
    .all(ctx.tenant.id, cursor.seq, ...args, limit + 1) as { seq: number; doc: string }[];
  const hasMore = rows.length > limit;
  if (hasMore) rows.pop();
  const last = rows[rows.length - 1];
  const nextCursor = last ? `c_${last.seq}` : cursor.raw;
  let body = '{"data":[';
  for (let i = 0; i < rows.length; i++) body += (i ? ',' : '') + rows[i]!.doc;
  body += `],"nextCursor":${JSON.stringify(nextCursor)},"hasMore":${hasMore}}`;
  return { status: 200, body };
}

// ---- /me ---------------------------------------------------------------------------------------

function me(ctx: RequestCtx): Answer {
  const t = ctx.tenant;
  return ok({
    tenant: { id: t.id, name: t.name, subdomain: t.subdomain, displayCurrency: t.currency, timezone: t.timezone, kybStatus: t.kyb_status, kybVerifiedAt: t.kyb_verified_at },
    scopes: ctx.scopes,
    keyId: ctx.keyId,
  });
}

// ---- offerings ---------------------------------------------------------------------------------

const OFFERING_FIELDS = ['slug', 'title', 'description', 'status', 'productTypeKey', 'categories', 'attributes', 'basePriceCents', 'currency', 'taxRateBps', 'pricingModel', 'cancellationPolicy'] as const;
const OFFERING_READ_ONLY = ['id', 'version', 'ratingAverage', 'reviewCount', 'createdAt', 'updatedAt', 'deletedAt'];

export function slugify(title: string): string {
  const s = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/g, '');
  return s === '' ? 'offering' : s;
}

function offeringInput(body: Record<string, unknown>, creating: boolean): Partial<Offering> {
  const c = new Checker();
  checkKeys(c, body, OFFERING_FIELDS, OFFERING_READ_ONLY);
  const out: Partial<Offering> = {};
  const set = <K extends keyof Offering>(k: K, v: Offering[K] | undefined | null): void => {
    if (v !== undefined && v !== null) out[k] = v;
  };
  set('title', str(c, body, 'title', { min: 1, max: 200, required: creating }));
  set('slug', str(c, body, 'slug', { max: 80, pattern: SLUG, patternText: 'must be lowercase letters, digits and single dashes (^[a-z0-9]+(-[a-z0-9]+)*$)' }));
  set('description', str(c, body, 'description', {}));
  set('status', oneOf(c, body, 'status', OFFERING_STATUSES));
  set('productTypeKey', oneOf(c, body, 'productTypeKey', PRODUCT_TYPES, creating));
  set('pricingModel', oneOf(c, body, 'pricingModel', PRICING));
  set('cancellationPolicy', oneOf(c, body, 'cancellationPolicy', POLICIES));
  set('basePriceCents', int(c, body, 'basePriceCents', { min: 0, max: 100_000_000, required: creating }));
  set('taxRateBps', int(c, body, 'taxRateBps', { min: 0, max: 10_000 }));
  set('currency', str(c, body, 'currency', { pattern: /^[A-Z]{3}$/, patternText: 'must be three capital letters (ISO-4217)', required: creating }));
  if (body['categories'] !== undefined) {
    const v = body['categories'];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x.length > 0 && x.length <= 100) || v.length > 50) c.add('categories', 'must be an array of at most 50 non-empty strings');
    else out.categories = v as string[];
  }
  if (body['attributes'] !== undefined) {
    const v = body['attributes'];
    if (typeof v !== 'object' || v === null || Array.isArray(v)) c.add('attributes', 'must be an object');
    else out.attributes = v as Record<string, unknown>;
  }
  c.done();
  return out;
}

function listOfferings(ctx: RequestCtx): Answer {
  const status = ctx.query.get('status') ?? 'PUBLISHED';
  if (![...OFFERING_STATUSES, 'ALL'].includes(status)) throw new ApiError(400, 'BAD_REQUEST', `status must be one of ${[...OFFERING_STATUSES, 'ALL'].join(', ')}.`);
  const filters: string[] = [];
  const args: unknown[] = [];
  if (status !== 'ALL') {
    filters.push('status = ?');
    args.push(status);
  }
  if (!parseBool(ctx.query, 'includeDeleted')) filters.push('deleted = 0');
  return page(ctx, 'offerings', filters, args);
}

function getOffering(ctx: RequestCtx): Answer {
  const id = ctx.params[0]!;
  const o = ctx.store.findOffering(ctx.tenant.id, id);
  if (!o) throw notFound('Offering', id);
  return ok(o);
}

function createOffering(ctx: RequestCtx): Answer {
  const input = offeringInput(requireObject(ctx.body), true);
  const now = ctx.store.clock.iso();
  const o: Offering = {
    id: newId('off'),
    slug: input.slug ?? slugify(input.title!),
    title: input.title!,
    description: input.description ?? '',
    status: input.status ?? 'DRAFT',
    productTypeKey: input.productTypeKey!,
    categories: input.categories ?? [],
    attributes: input.attributes ?? {},
    basePriceCents: input.basePriceCents!,
    currency: input.currency!,
    taxRateBps: input.taxRateBps ?? 0,
    pricingModel: input.pricingModel ?? 'ONE_TIME',
    cancellationPolicy: input.cancellationPolicy ?? 'MODERATE',
    ratingAverage: null,
    reviewCount: 0,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
    version: 1,
  };
  if (ctx.store.slugTaken(ctx.tenant.id, o.slug, o.id)) throw new ApiError(409, 'SLUG_TAKEN', `Slug "${o.slug}" is already used by another offering.`, { slug: o.slug });
  ctx.store.saveOffering(ctx.tenant.id, o);
  ctx.w.effect('offering.create', o.id);
  return ok(o, 201);
}

function liveOffering(ctx: RequestCtx): Offering {
  const id = ctx.params[0]!;
  const o = ctx.store.getOffering(ctx.tenant.id, id);
  if (!o || o.deletedAt !== null) throw notFound('Offering', id);
  return o;
}

function updateOffering(ctx: RequestCtx): Answer {
  const body = requireObject(ctx.body);
  const o = liveOffering(ctx);
  const input = offeringInput(body, false);
  let changed = false;
  for (const [k, v] of Object.entries(input) as [keyof Offering, unknown][]) {
    if (JSON.stringify(o[k]) !== JSON.stringify(v)) {
      (o as unknown as Record<string, unknown>)[k] = v;
      changed = true;
    }
  }
  if (!changed) return ok(o);
  if (input.slug !== undefined && ctx.store.slugTaken(ctx.tenant.id, o.slug, o.id)) {
    throw new ApiError(409, 'SLUG_TAKEN', `Slug "${o.slug}" is already used by another offering.`, { slug: o.slug });
  }
  o.version += 1;
  o.updatedAt = ctx.store.clock.iso();
  ctx.store.saveOffering(ctx.tenant.id, o);
  ctx.w.effect('offering.update', o.id);
  return ok(o);
}

function deleteOffering(ctx: RequestCtx): Answer {
  const o = liveOffering(ctx);
  const now = ctx.store.clock.iso();
  o.deletedAt = now;
  o.status = 'ARCHIVED';
  o.version += 1;
  o.updatedAt = now;
  ctx.store.saveOffering(ctx.tenant.id, o);
  ctx.w.effect('offering.delete', o.id);
  return ok(o);
}

// ---- bookings ----------------------------------------------------------------------------------

function listBookings(ctx: RequestCtx): Answer {
  const status = ctx.query.get('status');
  if (status !== null && !(BOOKING_STATUSES as readonly string[]).includes(status)) {
    throw new ApiError(400, 'BAD_REQUEST', `status must be one of ${BOOKING_STATUSES.join(', ')}.`);
  }
  return status === null ? page(ctx, 'bookings', [], []) : page(ctx, 'bookings', ['status = ?'], [status]);
}

function booking(ctx: RequestCtx): Booking {
  const id = ctx.params[0]!;
  const b = ctx.store.getBooking(ctx.tenant.id, id);
  if (!b) throw notFound('Booking', id);
  return b;
}

function getBooking(ctx: RequestCtx): Answer {
  return ok(booking(ctx));
}

function approveBooking(ctx: RequestCtx): Answer {
  if (ctx.body !== undefined) requireObject(ctx.body);
  return ok(ctx.store.approve(ctx.tenant.id, ctx.params[0]!, ctx.w));
}

function cancelBooking(ctx: RequestCtx): Answer {
  const body = ctx.body === undefined ? {} : requireObject(ctx.body);
  const c = new Checker();
  checkKeys(c, body, ['reason'], []);
  const reason = body['reason'] === null ? undefined : str(c, body, 'reason', { max: 500 });
  c.done();
  return ok(ctx.store.cancel(ctx.tenant.id, ctx.params[0]!, reason ?? null, 'provider', ctx.w));
}

function updateBooking(ctx: RequestCtx): Answer {
  const body = requireObject(ctx.body);
  const c = new Checker();
  checkKeys(c, body, ['itemId', 'startsAt', 'endsAt', 'notes'], ['id', 'status', 'version', 'createdAt', 'updatedAt', 'items', 'payments', 'customer', 'offeringId']);
  const itemId = str(c, body, 'itemId', { min: 1, max: 100 });
  const startsAt = instant(c, body, 'startsAt', {});
  const endsAt = instant(c, body, 'endsAt', {});
  const notes = str(c, body, 'notes', { max: 5000 });
  const given = ['itemId', 'startsAt', 'endsAt'].filter((k) => body[k] !== undefined);
  if (given.length > 0 && given.length < 3) {
    for (const k of ['itemId', 'startsAt', 'endsAt']) if (body[k] === undefined) c.add(k, 'is required when rescheduling (itemId, startsAt and endsAt go together)');
  }
  if (startsAt && endsAt && Date.parse(endsAt) <= Date.parse(startsAt)) c.add('endsAt', 'must be after startsAt');
  c.done();
  booking(ctx); // 404 before anything else
  return ok(
    ctx.store.updateBooking(
      ctx.tenant.id,
      ctx.params[0]!,
      { ...(itemId !== undefined ? { itemId } : {}), ...(startsAt ? { startsAt } : {}), ...(endsAt ? { endsAt } : {}), ...(notes !== undefined ? { notes } : {}) },
      ctx.w,
    ),
  );
}

// ---- coupons -----------------------------------------------------------------------------------

const COUPON_FIELDS = ['code', 'kind', 'amount', 'currency', 'validFrom', 'validUntil', 'maxRedemptions', 'minSubtotalCents', 'active'] as const;
const COUPON_READ_ONLY = ['id', 'redeemedCount', 'version', 'createdAt', 'updatedAt', 'deletedAt'];

function couponInput(body: Record<string, unknown>, base: Coupon | null): Coupon | Partial<Coupon> {
  const c = new Checker();
  checkKeys(c, body, COUPON_FIELDS, COUPON_READ_ONLY);
  const creating = base === null;
  const out: Partial<Coupon> = {};
  if (body['code'] !== undefined) {
    const code = typeof body['code'] === 'string' ? body['code'].toUpperCase() : body['code'];
    const v = str(c, { code }, 'code', { pattern: /^[A-Z0-9_-]{3,40}$/, patternText: 'must be 3–40 of A-Z, 0-9, _ and -' });
    if (v !== undefined) out.code = v;
  } else if (creating) c.add('code', 'is required');
  const kind = oneOf(c, body, 'kind', ['PERCENT', 'FIXED'] as const, creating);
  if (kind) out.kind = kind;
  if (body['amount'] !== undefined) {
    const v = int(c, body, 'amount', { min: 1 });
    if (typeof v === 'number') out.amount = v;
  } else if (creating) c.add('amount', 'is required');
  if (body['currency'] !== undefined) {
    if (body['currency'] === null) out.currency = null;
    else {
      const v = str(c, body, 'currency', { pattern: /^[A-Z]{3}$/, patternText: 'must be three capital letters (ISO-4217)' });
      if (v !== undefined) out.currency = v;
    }
  }
  const validFrom = instant(c, body, 'validFrom', { nullable: true });
  if (validFrom !== undefined) out.validFrom = validFrom;
  const validUntil = instant(c, body, 'validUntil', { nullable: true });
  if (validUntil !== undefined) out.validUntil = validUntil;
  const maxRedemptions = int(c, body, 'maxRedemptions', { min: 1, nullable: true });
  if (maxRedemptions !== undefined) out.maxRedemptions = maxRedemptions;
  const minSubtotal = int(c, body, 'minSubtotalCents', { min: 0 });
  if (typeof minSubtotal === 'number') out.minSubtotalCents = minSubtotal;
  const active = bool(c, body, 'active');
  if (active !== undefined) out.active = active;
  c.done();
  // Rules across fields, on the record as it would be.
  const merged = { ...(base ?? { currency: null, validFrom: null, validUntil: null }), ...out } as Partial<Coupon>;
  if (merged.kind === 'PERCENT' && typeof merged.amount === 'number' && merged.amount > 100) c.add('amount', 'must be an integer 1…100 for a PERCENT coupon');
  if (merged.kind === 'FIXED' && !merged.currency) c.add('currency', 'is required for a FIXED coupon');
  if (merged.validFrom && merged.validUntil && merged.validUntil <= merged.validFrom) c.add('validUntil', 'must be after validFrom');
  c.done();
  return out;
}

function listCoupons(ctx: RequestCtx): Answer {
  return page(ctx, 'coupons', parseBool(ctx.query, 'includeDeleted') ? [] : ['deleted = 0'], []);
}

function liveCoupon(ctx: RequestCtx): Coupon {
  const id = ctx.params[0]!;
  const c = ctx.store.getCoupon(ctx.tenant.id, id);
  if (!c || c.deletedAt !== null) throw notFound('Coupon', id);
  return c;
}

function getCoupon(ctx: RequestCtx): Answer {
  return ok(liveCoupon(ctx));
}

function createCoupon(ctx: RequestCtx): Answer {
  const input = couponInput(requireObject(ctx.body), null);
  const now = ctx.store.clock.iso();
  const coupon: Coupon = {
    id: newId('cpn'),
    code: input.code!,
    kind: input.kind!,
    amount: input.amount!,
    currency: input.currency ?? null,
    validFrom: input.validFrom ?? null,
    validUntil: input.validUntil ?? null,
    maxRedemptions: input.maxRedemptions ?? null,
    minSubtotalCents: input.minSubtotalCents ?? 0,
    redeemedCount: 0,
    active: input.active ?? true,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
    version: 1,
  };
  if (ctx.store.codeTaken(ctx.tenant.id, coupon.code, coupon.id)) throw new ApiError(409, 'COUPON_CODE_TAKEN', `Coupon code ${coupon.code} is already in use.`, { code: coupon.code });
  ctx.store.saveCoupon(ctx.tenant.id, coupon);
  ctx.w.effect('coupon.create', coupon.id);
  return ok(coupon, 201);
}

function updateCoupon(ctx: RequestCtx): Answer {
  const body = requireObject(ctx.body);
  const coupon = liveCoupon(ctx);
  const input = couponInput(body, coupon);
  let changed = false;
  for (const [k, v] of Object.entries(input)) {
    if (JSON.stringify((coupon as unknown as Record<string, unknown>)[k]) !== JSON.stringify(v)) {
      (coupon as unknown as Record<string, unknown>)[k] = v;
      changed = true;
    }
  }
  if (!changed) return ok(coupon);
  if (input.code !== undefined && ctx.store.codeTaken(ctx.tenant.id, coupon.code, coupon.id)) {
    throw new ApiError(409, 'COUPON_CODE_TAKEN', `Coupon code ${coupon.code} is already in use.`, { code: coupon.code });
  }
  coupon.version += 1;
  coupon.updatedAt = ctx.store.clock.iso();
  ctx.store.saveCoupon(ctx.tenant.id, coupon);
  ctx.w.effect('coupon.update', coupon.id);
  return ok(coupon);
}

function deleteCoupon(ctx: RequestCtx): Answer {
  const coupon = liveCoupon(ctx);
  const now = ctx.store.clock.iso();
  coupon.deletedAt = now;
  coupon.active = false;
  coupon.version += 1;
  coupon.updatedAt = now;
  ctx.store.saveCoupon(ctx.tenant.id, coupon);
  ctx.w.effect('coupon.delete', coupon.id);
  return ok(coupon);
}

// ---- availability ------------------------------------------------------------------------------

function availability(ctx: RequestCtx): Answer {
  const offeringId = ctx.query.get('offeringId');
  const from = ctx.query.get('from');
  const to = ctx.query.get('to');
  // A malformed query parameter is a 400 (spec: errors table); a well-formed but unusable range is a 422.
  if (from !== null && !isValidDate(from)) throw new ApiError(400, 'BAD_REQUEST', `from must be a date YYYY-MM-DD, got "${from}".`);
  if (to !== null && !isValidDate(to)) throw new ApiError(400, 'BAD_REQUEST', `to must be a date YYYY-MM-DD, got "${to}".`);
  const c = new Checker();
  if ((from === null) !== (to === null)) c.add(from === null ? 'from' : 'to', 'is required when the other of from/to is given');
  if (from !== null && to !== null && isValidDate(from) && isValidDate(to)) {
    const days = daysBetween(from, to);
    if (days <= 0) c.add('to', 'must be after from');
    else if (days > 62) c.add('to', 'must be at most 62 days after from');
  }
  c.done();
  if (offeringId === null || offeringId === '') {
    return ok({ rules: ctx.store.tenantRules(ctx.tenant.id), exceptions: ctx.store.tenantExceptions(ctx.tenant.id) });
  }
  const offering = ctx.store.getOffering(ctx.tenant.id, offeringId);
  if (!offering || offering.deletedAt !== null) throw notFound('Offering', offeringId);
  const rules = ctx.store.rules(offering.id);
  const exceptions = ctx.store.exceptions(offering.id);
  const tz = ctx.tenant.timezone;
  const slots: { startsAt: string; endsAt: string; capacity: number; booked: number; available: number }[] = [];
  if (from !== null && to !== null) {
    const spans: { start: number; end: number; capacity: number }[] = [];
    for (let date = from; date < to; date = addDays(date, 1)) {
      const weekday = weekdayOf(date);
      const dayRules = rules.filter((r) => r.dayOfWeek === weekday && (r.validFrom === null || r.validFrom <= date) && (r.validUntil === null || date <= r.validUntil));
      const dayExceptions = exceptions.filter((x) => x.date === date);
      const span = (x: { startTime: string | null; endTime: string | null }): [number, number] =>
        x.startTime && x.endTime ? [hhmmToMinutes(x.startTime), hhmmToMinutes(x.endTime)] : [0, 1440];
      const blocks = dayExceptions.filter((x) => x.kind === 'BLOCK').map(span);
      const seen = new Set<number>();
      const add = (m: number, len: number, capacity: number): void => {
        if (seen.has(m) || blocks.some(([a, b]) => m < b && m + len > a)) return;
        seen.add(m);
        spans.push({ start: fromLocal(date, m, tz), end: fromLocal(date, m + len, tz), capacity });
      };
      for (const r of dayRules) {
        const end = hhmmToMinutes(r.endTime);
        for (let m = hhmmToMinutes(r.startTime); m + r.slotMinutes <= end; m += r.slotMinutes) add(m, r.slotMinutes, r.capacity);
      }
      const len = dayRules[0]?.slotMinutes ?? 60;
      const cap = dayRules[0]?.capacity ?? 1;
      for (const x of dayExceptions) {
        if (x.kind !== 'OPEN') continue;
        const [a, b] = span(x);
        for (let m = a; m + len <= b; m += len) add(m, len, cap);
      }
    }
    spans.sort((a, b) => a.start - b.start);
    const firstIso = spans[0] ? new Date(spans[0].start).toISOString() : '';
    const lastIso = spans.length ? new Date(Math.max(...spans.map((s) => s.end))).toISOString() : '';
    const items = spans.length ? ctx.store.activeItemsBetween(offering.id, firstIso, lastIso).map((i) => ({ s: Date.parse(i.starts_at), e: Date.parse(i.ends_at), q: i.quantity })) : [];
    for (const s of spans) {
      if (s.end <= s.start) continue; // a slot swallowed by a DST gap
      let booked = 0;
      for (const i of items) if (i.s < s.end && i.e > s.start) booked += i.q;
      slots.push({ startsAt: new Date(s.start).toISOString(), endsAt: new Date(s.end).toISOString(), capacity: s.capacity, booked, available: Math.max(0, s.capacity - booked) });
    }
  }
  return ok({ offeringId: offering.id, timezone: tz, rules, exceptions, slots });
}

// ---- routing -----------------------------------------------------------------------------------

const ID = '([^/]+)';

export const routes: Route[] = [
  { method: 'GET', pattern: /^\/v1\/api\/me$/, handler: me },
  { method: 'GET', pattern: /^\/v1\/api\/offerings$/, handler: listOfferings },
  { method: 'POST', pattern: /^\/v1\/api\/offerings$/, handler: createOffering },
  { method: 'GET', pattern: new RegExp(`^/v1/api/offerings/${ID}$`), handler: getOffering },
  { method: 'PATCH', pattern: new RegExp(`^/v1/api/offerings/${ID}$`), handler: updateOffering },
  { method: 'DELETE', pattern: new RegExp(`^/v1/api/offerings/${ID}$`), handler: deleteOffering },
  { method: 'GET', pattern: /^\/v1\/api\/bookings$/, handler: listBookings },
  { method: 'GET', pattern: new RegExp(`^/v1/api/bookings/${ID}$`), handler: getBooking },
  { method: 'PATCH', pattern: new RegExp(`^/v1/api/bookings/${ID}$`), handler: updateBooking },
  { method: 'POST', pattern: new RegExp(`^/v1/api/bookings/${ID}/approve$`), handler: approveBooking },
  { method: 'POST', pattern: new RegExp(`^/v1/api/bookings/${ID}/cancel$`), handler: cancelBooking },
  { method: 'GET', pattern: /^\/v1\/api\/coupons$/, handler: listCoupons },
  { method: 'POST', pattern: /^\/v1\/api\/coupons$/, handler: createCoupon },
  { method: 'GET', pattern: new RegExp(`^/v1/api/coupons/${ID}$`), handler: getCoupon },
  { method: 'PATCH', pattern: new RegExp(`^/v1/api/coupons/${ID}$`), handler: updateCoupon },
  { method: 'DELETE', pattern: new RegExp(`^/v1/api/coupons/${ID}$`), handler: deleteCoupon },
  { method: 'GET', pattern: /^\/v1\/api\/availability$/, handler: availability },
];

/** Finds the route for a path: the handler and params, or the allowed methods (405), or nothing (404). */
export function matchRoute(method: string, path: string): { route: Route; params: string[] } | { allowed: string[] } | null {
  const allowed: string[] = [];
  for (const route of routes) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    if (route.method === method) {
      try {
        return { route, params: m.slice(1).map((p) => decodeURIComponent(p)) };
      } catch {
        return null; // a malformed %-escape cannot name any record
      }
    }
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { allowed } : null;
}
