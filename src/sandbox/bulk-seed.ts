/**
 * A large tenant for benches and scale tests, written straight into a sandbox data file: tenant atlas
 * with N offerings (in many locations) and M bookings spread over years of history plus the coming
 * months, by bulk SQLite inserts (no API, no whole-table arrays: bookings are made day by day and
 * written as they are made). The same options on the same day give the same file (a seeded PRNG).
 *
 * The shape of the data, at any size: about 78% of bookings are past (COMPLETED, CANCELLED or REFUNDED,
 * more of them in recent years), the rest start today or in the next `futureDays` days, and half of
 * those are PENDING (1M bookings → about 110k PENDING). Customers carry accented names ("García",
 * "Müller", "Nguyễn"…). Bookings sit in real slots of their offering's weekly rules; slot capacity is
 * not checked (with thousands of offerings, collisions are as rare as they are in life).
 *
 * How long it takes is printed by `npm run bench` and written in README (bench section).
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from './db.ts';
import { ATLAS, FIRST, LAST, NOTES, TAX, TENANTS, ZONES, type Template } from './seed.ts';
import { asciiEmail, price } from './simulate.ts';
import type { Booking, BookingStatus, Customer, Offering } from './types.ts';
import { fromLocal, toLocal } from './tz.ts';
import { Rng } from './util.ts';

export interface BulkSeedOptions {
  bookings: number;
  offerings: number;
  /** PRNG seed; default 1. */
  seed?: number;
  /** Days of past bookings before today; default 3 × 365. */
  historyDays?: number;
  /** Days of upcoming bookings after today; default 90. */
  futureDays?: number;
  /** The instant "today" is taken from; default now. */
  nowMs?: number;
}

export interface BulkSeedResult {
  ms: number;
  offerings: number;
  bookings: number;
  pending: number;
  customers: number;
  /** First and last local start dates of the bookings. */
  from: string;
  to: string;
}

const LOCATIONS = ['Madrid Centro', 'São Paulo', 'Zürich', 'Kraków', 'Montréal', 'Brooklyn', 'Reykjavík', 'Malmö', 'Düsseldorf', 'Bogotá', 'Kyōto', 'Lisboa'];
const PAST_SHARE = 0.78;
const BATCH = 20_000; // rows a transaction: big enough to be fast, small enough to keep dirty pages few

/** Seeds a NEW sandbox data file (refuses an existing one). */
// eslint-disable-next-line max-lines-per-function -- one seeding pass whose prepared statements and batch counters are shared by every table it fills
export function seedBulk(file: string, options: BulkSeedOptions): BulkSeedResult {
  if (existsSync(file)) throw new Error(`seedBulk: ${file} already exists; it seeds new files only`);
  const started = performance.now();
  const { db } = openDatabase(file);
  try {
    // Nothing else reads this file while it is made, and a crash leaves it unfinished anyway (the
    // cache below renames it into place only when complete): no journal, no fsync until the end.
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    const tenant = TENANTS[0];
    const rng = new Rng(options.seed ?? 1);
    const ref = Math.floor((options.nowMs ?? Date.now()) / 86_400_000) * 86_400_000;
    const iso = (ms: number): string => new Date(ms).toISOString();
    const bulkIndexes = ['bookings_seq', 'bookings_status_seq', 'bookings_completion', 'booking_items_slot', 'booking_items_booking', 'availability_rules_offering', 'availability_rules_tenant'];
    const indexSql = bulkIndexes.map((name) => (db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?").get(name) as { sql: string }).sql);
    for (const name of bulkIndexes) db.exec(`DROP INDEX ${name}`);
    const insertTenant = db.prepare("INSERT INTO tenants (id, subdomain, name, currency, timezone, kyb_status, kyb_verified_at, seq) VALUES (?, ?, ?, ?, ?, 'PENDING', NULL, 0)");
    for (const t of TENANTS) insertTenant.run(t.id, t.subdomain, t.name, t.currency, t.timezone);

    let seq = 0;
    const offerings = db.transaction(() => writeOfferings(db, rng, options.offerings, ref, () => ++seq))();
    const customers = makeCustomers(rng, Math.max(20, Math.min(50_000, Math.ceil(options.bookings / 20))));
    const plan = dayPlan(rng, options.bookings, options.historyDays ?? 3 * 365, options.futureDays ?? 90);
    const putBooking = db.prepare('INSERT INTO bookings (id, tenant_id, seq, status, offering_id, first_start, last_end, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const putItem = db.prepare('INSERT INTO booking_items (id, booking_id, tenant_id, offering_id, starts_at, ends_at, quantity, active) VALUES (?, ?, ?, ?, ?, ?, ?, 1)');
    const byWeekday = weekdayIndex(offerings);
    const slotCache = new Map<string, number>();
    const slotMs = (date: string, minutes: number): number => {
      const key = `${date}|${minutes}`;
      let v = slotCache.get(key);
      if (v === undefined) {
        v = fromLocal(date, minutes, tenant.timezone);
        slotCache.set(key, v);
      }
      return v;
    };
    let pending = 0;
    let written = 0;
    let from = '';
    let to = '';
    let open = false;
    db.exec('BEGIN');
    open = true;
    try {
      for (const day of plan) {
        const date = toLocal(ref + day.offset * 86_400_000 + 12 * 3_600_000, tenant.timezone).date;
        const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
        const choices = byWeekday[weekday]!;
        if (choices.length === 0) continue;
        if (from === '') from = date;
        to = date;
        for (let k = 0; k < day.count; k++) {
          const o = offerings[choices[rng.int(0, choices.length - 1)]!]!;
          const rules = o.hours.filter((h) => h.days.includes(weekday));
          const r = rules[rng.int(0, rules.length - 1)]!;
          const slots = Math.max(1, Math.floor((hhmm(r.end) - hhmm(r.start)) / r.slot));
          const m = hhmm(r.start) + rng.int(0, slots - 1) * r.slot;
          const b = makeBooking(rng, o.doc, customers[rng.int(0, customers.length - 1)]!, slotMs(date, m), slotMs(date, m + r.slot), day.offset, ref, iso);
          putBooking.run(b.id, tenant.id, ++seq, b.status, b.offeringId, b.items[0]!.startsAt, b.items[0]!.endsAt, JSON.stringify(b));
          if (b.status === 'PENDING' || b.status === 'CONFIRMED') {
            const item = b.items[0]!;
            putItem.run(item.id, b.id, tenant.id, item.offeringId, item.startsAt, item.endsAt, item.quantity);
          }
          if (b.status === 'PENDING') pending++;
          if (++written % BATCH === 0) {
            db.exec('COMMIT');
            db.exec('BEGIN');
          }
        }
      }
      db.prepare('UPDATE tenants SET seq = ? WHERE id = ?').run(seq, tenant.id);
      db.exec('COMMIT');
      open = false;
    } finally {
      if (open) db.exec('ROLLBACK');
    }
    for (const sql of indexSql) db.exec(sql);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    return { ms: Math.round(performance.now() - started), offerings: offerings.length, bookings: written, pending, customers: customers.length, from, to };
  } finally {
    db.close();
  }
}

/**
 * A fresh copy of a bulk-seeded data file at `target`, from a cache in `cacheDir` made on first use
 * (by option and day, so a cached file is what `seedBulk` would make today). Copying a 1M-booking file
 * takes seconds; seeding it takes about a minute.
 */
export function bulkSeedCopy(cacheDir: string, target: string, options: BulkSeedOptions): { seeded: BulkSeedResult | null; copyMs: number } {
  mkdirSync(cacheDir, { recursive: true });
  const day = new Date(Math.floor((options.nowMs ?? Date.now()) / 86_400_000) * 86_400_000).toISOString().slice(0, 10);
  const name = `sandbox-${options.bookings}b-${options.offerings}o-s${options.seed ?? 1}-h${options.historyDays ?? 1095}-f${options.futureDays ?? 90}-${day}.db`;
  const cached = join(cacheDir, name);
  let seeded: BulkSeedResult | null = null;
  if (!existsSync(cached)) {
    const partial = `${cached}.${process.pid}.partial`;
    rmSync(partial, { force: true });
    seeded = seedBulk(partial, options);
    renameSync(partial, cached);
  }
  const t0 = performance.now();
  copyFileSync(cached, target);
  return { seeded, copyMs: Math.round(performance.now() - t0) };
}

interface BulkOffering {
  doc: Offering;
  hours: Template['hours'];
}

function writeOfferings(db: ReturnType<typeof openDatabase>['db'], rng: Rng, count: number, ref: number, nextSeq: () => number): BulkOffering[] {
  const tenant = TENANTS[0];
  const templates = ATLAS.filter((t) => t.status !== 'DRAFT');
  const putOffering = db.prepare('INSERT INTO offerings (id, tenant_id, seq, slug, status, deleted, doc) VALUES (?, ?, ?, ?, ?, 0, ?)');
  const putRule = db.prepare('INSERT INTO availability_rules (id, tenant_id, offering_id, day_of_week, start_time, end_time, slot_minutes, capacity, valid_from, valid_until, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)');
  const out: BulkOffering[] = [];
  for (let i = 0; i < count; i++) {
    const t = templates[i % templates.length]!;
    const place = LOCATIONS[Math.floor(i / templates.length) % LOCATIONS.length]!;
    const round = Math.floor(i / (templates.length * LOCATIONS.length));
    const title = `${t.title} — ${place}${round > 0 ? ` ${round + 1}` : ''}`;
    const slug = `${title.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '')}-${i + 1}`;
    const created = ref - rng.int(400, 1500) * 86_400_000 - rng.int(0, 86_399) * 1000;
    const reviewCount = rng.int(0, 60);
    // A few offerings are drafts or archived (no bookings are placed on those).
    const roll = rng.next();
    const status: Offering['status'] = roll < 0.02 ? 'DRAFT' : roll < 0.03 ? 'ARCHIVED' : 'PUBLISHED';
    const doc: Offering = {
      id: rng.id('off'),
      slug,
      title,
      description: t.description,
      status,
      productTypeKey: t.type,
      categories: t.categories,
      attributes: t.attributes,
      basePriceCents: t.price + rng.int(0, 20) * 100,
      currency: tenant.currency,
      taxRateBps: TAX['atlas']?.[t.type] ?? 0,
      pricingModel: t.model,
      cancellationPolicy: t.policy,
      ratingAverage: reviewCount === 0 ? null : Math.round((3.8 + rng.next() * 1.2) * 10) / 10,
      reviewCount,
      createdAt: new Date(created).toISOString(),
      updatedAt: new Date(created + rng.int(0, 50) * 86_400_000).toISOString(),
      deletedAt: null,
      version: rng.int(1, 6),
    };
    let position = 0;
    for (const h of t.hours) {
      for (const day of h.days) putRule.run(rng.id('avr'), tenant.id, doc.id, day, h.start, h.end, h.slot, h.capacity, position++);
    }
    putOffering.run(doc.id, tenant.id, nextSeq(), slug, status, JSON.stringify(doc));
    out.push({ doc, hours: t.hours });
  }
  return out;
}

/** For each weekday, the indexes of the published offerings open that day. */
function weekdayIndex(offerings: BulkOffering[]): number[][] {
  const days: number[][] = [[], [], [], [], [], [], []];
  offerings.forEach((o, i) => {
    if (o.doc.status !== 'PUBLISHED') return;
    for (let d = 0; d < 7; d++) if (o.hours.some((h) => h.days.includes(d))) days[d]!.push(i);
  });
  return days;
}

function makeCustomers(rng: Rng, count: number): Customer[] {
  const out: Customer[] = [];
  for (let i = 0; i < count; i++) {
    const name = `${FIRST[(i * 7 + rng.int(0, FIRST.length - 1)) % FIRST.length]} ${LAST[rng.int(0, LAST.length - 1)]}`;
    out.push({ id: rng.id('cus'), name, email: asciiEmail(name, i), timezone: rng.pick(ZONES) });
  }
  return out;
}

/**
 * How many bookings start on each day, oldest first: the past share over `historyDays` growing with
 * time (a business that grew) and busier at weekends, the rest over today and the next `futureDays`.
 */
function dayPlan(rng: Rng, total: number, historyDays: number, futureDays: number): { offset: number; count: number }[] {
  const spread = (n: number, first: number, last: number, grow: boolean): { offset: number; count: number }[] => {
    const days: { offset: number; w: number }[] = [];
    for (let d = first; d <= last; d++) {
      const age = grow ? (d - first) / Math.max(1, last - first) : 1;
      days.push({ offset: d, w: (0.4 + 0.6 * age) * (0.85 + rng.next() * 0.3) });
    }
    const sum = days.reduce((s, d) => s + d.w, 0);
    let given = 0;
    let acc = 0;
    return days.map((d) => {
      acc += (d.w / sum) * n;
      const count = Math.round(acc) - given;
      given += count;
      return { offset: d.offset, count };
    });
  };
  const past = Math.round(total * PAST_SHARE);
  return [...spread(past, -historyDays, -1, true), ...spread(total - past, 0, futureDays, false)];
}

const hhmm = (s: string): number => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));

function makeBooking(rng: Rng, o: Offering, customer: Customer, start: number, end: number, offset: number, ref: number, iso: (ms: number) => string): Booking {
  const roll = rng.next();
  let status: BookingStatus;
  if (offset < 0) status = roll < 0.8 ? 'COMPLETED' : roll < 0.94 ? 'CANCELLED' : 'REFUNDED';
  else if (offset === 0) status = roll < 0.9 ? 'CONFIRMED' : 'CANCELLED';
  else status = roll < 0.5 ? 'PENDING' : roll < 0.92 ? 'CONFIRMED' : 'CANCELLED';
  const quantity = o.productTypeKey === 'class' && rng.chance(0.2) ? 2 : 1;
  const discount = rng.chance(0.1) ? rng.pick([10, 15, 25]) : 0;
  const p = price(o, start, end, quantity, discount);
  const created = Math.min(ref - rng.int(60, 3600) * 1000, start - rng.int(1, 21) * 86_400_000 - rng.int(0, 86_399) * 1000);
  const highRisk = rng.chance(status === 'PENDING' ? 0.2 : 0.06);
  let updated = created + rng.int(0, 3) * 3_600_000;
  let version = status === 'PENDING' ? 1 : 2;
  let refundPercent: number | null = null;
  let cancelledBy: Booking['cancelledBy'] = null;
  let cancelReason: string | null = null;
  let paymentStatus: Booking['payments'][number]['status'] = status === 'PENDING' ? 'AUTHORIZED' : 'CAPTURED';
  if (status === 'COMPLETED') {
    updated = end;
    version = 3;
  } else if (status === 'CANCELLED' || status === 'REFUNDED') {
    updated = Math.max(created + 60_000, Math.min(ref - 60_000, created + rng.int(1, 14) * 86_400_000));
    refundPercent = status === 'REFUNDED' ? 100 : o.cancellationPolicy === 'STRICT' ? 0 : 50;
    cancelledBy = status === 'REFUNDED' ? 'provider' : rng.chance(0.6) ? 'customer' : 'provider';
    cancelReason = status === 'REFUNDED' ? 'Refunded after a dispute' : rng.pick(['Change of plans', 'Found another date', 'Weather', 'Double booking', 'Illness']);
    paymentStatus = refundPercent >= 100 ? 'REFUNDED' : refundPercent > 0 ? 'PARTIALLY_REFUNDED' : 'CAPTURED';
  }
  updated = Math.max(created, Math.min(updated, ref));
  return {
    id: rng.id('bkg'),
    status,
    offeringId: o.id,
    offeringTitle: o.title,
    customer,
    items: [{ id: rng.id('bki'), offeringId: o.id, startsAt: iso(start), endsAt: iso(end), quantity, priceCents: p.itemPrice }],
    payments: [{ id: rng.id('pay'), amountCents: p.totalCents, currency: o.currency, status: paymentStatus, createdAt: iso(created) }],
    subtotalCents: p.subtotalCents,
    discountCents: p.discountCents,
    taxCents: p.taxCents,
    totalCents: p.totalCents,
    currency: o.currency,
    couponCode: null,
    riskScore: highRisk ? rng.int(70, 97) : rng.int(1, 38),
    riskReviewStatus: highRisk ? (status === 'PENDING' ? 'HELD' : 'CLEARED') : 'NONE',
    notes: rng.pick(NOTES),
    refundPercent,
    cancelReason,
    cancelledBy,
    createdAt: iso(created),
    updatedAt: iso(updated),
    version,
  };
}
