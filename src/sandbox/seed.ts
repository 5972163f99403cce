import type { DB } from './db.ts';
import { price } from './simulate.ts';
import { asciiEmail } from './simulate.ts';
import type { AvailabilityRule, Booking, BookingStatus, Coupon, Customer, Offering } from './types.ts';
import { fromLocal, toLocal } from './tz.ts';
import { Rng } from './util.ts';
import { refundPercentFor } from './store.ts';

export type SeedOption = 'demo' | 'none' | { bookings: number; offerings: number };

export const TENANTS = [
  { id: 'tnt_atlas7k2m9q4x1v', subdomain: 'atlas', name: 'Atlas Studios', currency: 'USD', timezone: 'America/New_York' },
  { id: 'tnt_harbor3p8w5n2c', subdomain: 'harbor', name: 'Harbor Rides', currency: 'EUR', timezone: 'Europe/Lisbon' },
] as const;

type TenantSeed = (typeof TENANTS)[number];

export interface Template {
  title: string;
  type: Offering['productTypeKey'];
  price: number;
  model: Offering['pricingModel'];
  policy: Offering['cancellationPolicy'];
  categories: string[];
  attributes: Record<string, unknown>;
  description: string;
  /** Weekly hours: days, start, end, slot minutes, capacity. */
  hours: { days: number[]; start: string; end: string; slot: number; capacity: number }[];
  status?: Offering['status'];
}

const WEEKDAYS = [1, 2, 3, 4, 5];
const ALL_DAYS = [0, 1, 2, 3, 4, 5, 6];

export const ATLAS: Template[] = [
  { title: 'Soho Loft', type: 'space', price: 12000, model: 'HOURLY', policy: 'MODERATE', categories: ['Event space', 'Photo studio'], attributes: { sqft: 720, amenities: ['wifi', 'kitchen', 'natural light'], maxGuests: 30 }, description: 'A sunlit loft with exposed brick, a full kitchen and room for thirty.', hours: [{ days: ALL_DAYS, start: '09:00', end: '21:00', slot: 120, capacity: 1 }] },
  { title: 'Brooklyn Podcast Booth', type: 'space', price: 4500, model: 'HOURLY', policy: 'FLEXIBLE', categories: ['Recording'], attributes: { sqft: 90, microphones: 4, soundproofed: true }, description: 'Treated booth with four broadcast microphones and a RodeCaster mixer.', hours: [{ days: WEEKDAYS, start: '08:00', end: '20:00', slot: 60, capacity: 1 }, { days: [6], start: '10:00', end: '16:00', slot: 60, capacity: 1 }] },
  { title: 'Rooftop Terrace', type: 'space', price: 30000, model: 'HOURLY', policy: 'STRICT', categories: ['Event space', 'Outdoor'], attributes: { sqft: 1500, view: 'Manhattan skyline', heaters: 6 }, description: 'Open-air terrace for receptions and shoots, with heaters for cool evenings.', hours: [{ days: [4, 5, 6], start: '16:00', end: '23:00', slot: 180, capacity: 1 }] },
  { title: 'Meeting Room "Hudson"', type: 'space', price: 6000, model: 'HOURLY', policy: 'FLEXIBLE', categories: ['Meeting room'], attributes: { seats: 10, screen: '75in', whiteboard: true }, description: 'Ten seats, a large screen and good coffee down the hall.', hours: [{ days: WEEKDAYS, start: '08:00', end: '18:00', slot: 60, capacity: 1 }] },
  { title: 'Morning Vinyasa Flow', type: 'class', price: 2800, model: 'ONE_TIME', policy: 'FLEXIBLE', categories: ['Yoga', 'Wellness'], attributes: { level: 'all levels', mats: true }, description: 'A 75-minute flow class to start the day; mats provided.', hours: [{ days: [1, 3, 5], start: '07:00', end: '08:15', slot: 75, capacity: 14 }, { days: [6], start: '09:00', end: '10:15', slot: 75, capacity: 18 }] },
  { title: 'Pottery Wheel Basics', type: 'class', price: 6500, model: 'ONE_TIME', policy: 'MODERATE', categories: ['Crafts'], attributes: { level: 'beginner', clayIncluded: true, firing: 'included' }, description: 'Centre, throw and trim your first bowls; clay and firing included.', hours: [{ days: [2, 4], start: '18:30', end: '20:30', slot: 120, capacity: 8 }, { days: [0], start: '11:00', end: '13:00', slot: 120, capacity: 8 }] },
  { title: 'Salsa Night Drop-in', type: 'class', price: 2000, model: 'ONE_TIME', policy: 'FLEXIBLE', categories: ['Dance'], attributes: { level: 'open', partnerNeeded: false }, description: 'Friday social with a one-hour lesson first. No partner needed.', hours: [{ days: [5], start: '19:00', end: '22:00', slot: 180, capacity: 40 }] },
  { title: 'Portrait Session', type: 'service', price: 22500, model: 'ONE_TIME', policy: 'MODERATE', categories: ['Photography'], attributes: { editedImages: 15, durationMinutes: 90 }, description: 'Ninety minutes in the studio with a photographer; fifteen edited images.', hours: [{ days: [2, 3, 4, 5, 6], start: '10:00', end: '17:30', slot: 90, capacity: 1 }] },
  { title: 'Mix & Master Consultation', type: 'service', price: 9000, model: 'ONE_TIME', policy: 'STRICT', categories: ['Audio'], attributes: { remote: true, revisions: 1 }, description: 'One hour with a mastering engineer going through your mix.', hours: [{ days: WEEKDAYS, start: '11:00', end: '17:00', slot: 60, capacity: 1 }] },
  { title: 'Deep-Tissue Massage (60 min)', type: 'service', price: 11000, model: 'ONE_TIME', policy: 'MODERATE', categories: ['Wellness'], attributes: { therapists: 2 }, description: 'Sixty minutes with one of our licensed therapists.', hours: [{ days: [1, 2, 3, 4, 5, 6], start: '10:00', end: '19:00', slot: 60, capacity: 2 }] },
  { title: 'Cargo Van — Day Rental', type: 'vehicle', price: 14900, model: 'DAILY', policy: 'MODERATE', categories: ['Vehicles', 'Moving'], attributes: { seats: 3, cargoCubicFeet: 246, transmission: 'automatic' }, description: 'A high-roof cargo van for load-ins and moves; 150 miles included.', hours: [{ days: ALL_DAYS, start: '08:00', end: '20:00', slot: 720, capacity: 2 }] },
  { title: 'Vespa Half-Day', type: 'vehicle', price: 5500, model: 'ONE_TIME', policy: 'FLEXIBLE', categories: ['Vehicles'], attributes: { helmets: 2, licence: 'class M' }, description: 'A scooter and two helmets for a morning or an afternoon.', hours: [{ days: ALL_DAYS, start: '09:00', end: '19:00', slot: 300, capacity: 3 }] },
  { title: 'Cinema Camera Kit', type: 'equipment', price: 35000, model: 'DAILY', policy: 'STRICT', categories: ['Camera'], attributes: { body: 'Super 35 cinema camera', lenses: 3, media: '2 × 1TB' }, description: 'Camera body, three primes, media and batteries, checked out for the day.', hours: [{ days: WEEKDAYS, start: '09:00', end: '18:00', slot: 540, capacity: 1 }] },
  { title: 'LED Lighting Kit', type: 'equipment', price: 8500, model: 'DAILY', policy: 'MODERATE', categories: ['Lighting'], attributes: { panels: 3, stands: 3, softboxes: 2 }, description: 'Three bi-colour panels with stands and softboxes.', hours: [{ days: ALL_DAYS, start: '09:00', end: '18:00', slot: 540, capacity: 2 }] },
  { title: 'Darkroom Hour', type: 'space', price: 3000, model: 'HOURLY', policy: 'FLEXIBLE', categories: ['Photography'], attributes: { enlargers: 2 }, description: 'Black-and-white darkroom with two enlargers. Coming soon.', hours: [{ days: [6], start: '12:00', end: '18:00', slot: 60, capacity: 2 }], status: 'DRAFT' },
];

const HARBOR: Template[] = [
  { title: 'Airport Transfer', type: 'taxi', price: 3500, model: 'ONE_TIME', policy: 'FLEXIBLE', categories: ['Transfers'], attributes: { seats: 4, luggage: 3 }, description: 'Door to terminal in a comfortable saloon.', hours: [{ days: ALL_DAYS, start: '05:00', end: '23:00', slot: 60, capacity: 3 }] },
  { title: 'Tuk-tuk City Tour', type: 'taxi', price: 6000, model: 'ONE_TIME', policy: 'MODERATE', categories: ['Tours'], attributes: { seats: 6, languages: ['pt', 'en', 'es', 'fr'] }, description: 'Two hours through Alfama, Baixa and Belém.', hours: [{ days: ALL_DAYS, start: '09:00', end: '19:00', slot: 120, capacity: 2 }] },
  { title: 'Sailboat Charter — Tejo', type: 'vehicle', price: 42000, model: 'ONE_TIME', policy: 'STRICT', categories: ['Boats'], attributes: { guests: 8, skipper: true }, description: 'Half a day on the river with a skipper.', hours: [{ days: [5, 6, 0], start: '10:00', end: '18:00', slot: 240, capacity: 1 }] },
  { title: 'Surf Lesson, Costa da Caparica', type: 'class', price: 3500, model: 'ONE_TIME', policy: 'FLEXIBLE', categories: ['Surf'], attributes: { board: true, wetsuit: true }, description: 'Two hours with an instructor; board and wetsuit included.', hours: [{ days: ALL_DAYS, start: '09:00', end: '17:00', slot: 120, capacity: 6 }] },
  { title: 'Bicicleta Elétrica', type: 'equipment', price: 2500, model: 'DAILY', policy: 'MODERATE', categories: ['Bikes'], attributes: { rangeKm: 80 }, description: 'An e-bike for the day, lock and helmet included.', hours: [{ days: ALL_DAYS, start: '09:00', end: '19:00', slot: 600, capacity: 5 }] },
];

export const TAX: Record<string, Record<string, number>> = {
  atlas: { space: 888, class: 888, service: 888, vehicle: 1138, equipment: 888, taxi: 888 },
  harbor: { space: 2300, class: 2300, service: 2300, vehicle: 600, equipment: 2300, taxi: 600 },
};

export const FIRST = ['Ana', 'Zoë', 'Łukasz', 'Chloé', 'José', 'Miyu', 'Björn', 'Aoife', 'Olúwaseun', 'Priya', 'Mateus', 'İlkay', 'Noa', 'Siobhán', 'Emma', 'Liam', 'Olivia', 'Noah', 'Sofia', 'Hannah', 'Kwame', 'Lan', 'Rafael', 'Greta', 'Dmitri', 'Fatima', 'Hiroshi', 'Amélie', 'Søren', 'Catalina', 'Marcus', 'Ingrid', 'Yusuf', 'Mei', 'Ethan', 'Ava'];
export const LAST = ['García', 'Müller', 'Nowak', 'Dubois', 'Álvarez', 'Tanaka', 'Lindqvist', 'Ní Bhriain', 'Adéyemí', 'Raghunathan', 'Conceição', 'Yılmaz', 'Ben-David', 'Kelly', 'Johnson', 'Smith', 'Brown', 'Davis', 'Rossi', 'Schmidt', 'Mensah', 'Nguyễn', 'Ortega', 'Brandt', 'Volkov', 'Al-Sayed', 'Sato', 'Lefèvre', 'Jørgensen', 'Peña', 'Wright', 'Håkansson', 'Demir', 'Chen', 'Wilson', 'Martinez'];
export const ZONES = ['America/New_York', 'America/New_York', 'America/New_York', 'America/Los_Angeles', 'America/Chicago', 'Europe/Madrid', 'Europe/London', 'Europe/Berlin', 'Europe/Lisbon', 'Asia/Tokyo', 'Asia/Kolkata', 'America/Sao_Paulo', 'Australia/Sydney'];
export const NOTES = ['', '', '', '', '', 'Celebrating a birthday!', 'Please leave the invoice at the front desk.', 'Arriving 10 minutes early.', 'Needs step-free access.', 'Repeat customer — asked for the same setup as last time.', 'Bringing own equipment.', 'Pedimos factura, por favor.'];

/**
 * Today's bookings for a demo tenant: up to 20 across the offerings open today (at least four when
 * there are), in free places of real slots. Those that have not started yet are a third PENDING
 * (the queue has today's work in it); the ones already over are COMPLETED.
 */
function todaysBookings(o: { tenant: TenantSeed; bookable: { o: Offering; rules: AvailabilityRule[] }[]; customers: Customer[]; taken: Map<string, number>; nowMs: number; rng: Rng }): Booking[] {
  const { tenant, rng, nowMs } = o;
  const tz = tenant.timezone;
  const today = toLocal(nowMs, tz);
  const hhmm = (s: string): number => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));
  // Every free place of every slot open today, shuffled; then offerings taken in turn so the day spreads over them.
  const byOffering = new Map<string, { o: Offering; m: number; slot: number }[]>();
  for (const { o: off, rules } of o.bookable) {
    for (const r of rules.filter((x) => x.dayOfWeek === today.weekday)) {
      for (let m = hhmm(r.startTime); m + r.slotMinutes <= hhmm(r.endTime); m += r.slotMinutes) {
        const free = r.capacity - (o.taken.get(`${off.id}|${today.date}|${m}`) ?? 0);
        for (let k = 0; k < Math.min(free, 3); k++) byOffering.set(off.id, [...(byOffering.get(off.id) ?? []), { o: off, m, slot: r.slotMinutes }]);
      }
    }
  }
  const lists = [...byOffering.values()].map((l) => l.sort(() => rng.next() - 0.5));
  const out: Booking[] = [];
  for (let round = 0; out.length < 20 && lists.some((l) => l.length > 0); round++) {
    for (const l of lists) {
      const place = l.pop();
      if (!place || out.length >= 20) continue;
      const key = `${place.o.id}|${today.date}|${place.m}`;
      o.taken.set(key, (o.taken.get(key) ?? 0) + 1);
      const start = fromLocal(today.date, place.m, tz);
      const end = fromLocal(today.date, place.m + place.slot, tz);
      const status: BookingStatus = end <= nowMs ? 'COMPLETED' : start > nowMs && rng.chance(0.35) ? 'PENDING' : 'CONFIRMED';
      const p = price(place.o, start, end, 1, 0);
      const created = Math.min(nowMs - rng.int(1, 9) * 3_600_000, start - rng.int(1, 10) * 86_400_000);
      const held = status === 'PENDING' && rng.chance(0.15);
      out.push({
        id: rng.id('bkg'),
        status,
        offeringId: place.o.id,
        offeringTitle: place.o.title,
        customer: rng.pick(o.customers),
        items: [{ id: rng.id('bki'), offeringId: place.o.id, startsAt: new Date(start).toISOString(), endsAt: new Date(end).toISOString(), quantity: 1, priceCents: p.itemPrice }],
        payments: [{ id: rng.id('pay'), amountCents: p.totalCents, currency: place.o.currency, status: status === 'PENDING' ? 'AUTHORIZED' : 'CAPTURED', createdAt: new Date(created).toISOString() }],
        subtotalCents: p.subtotalCents,
        discountCents: p.discountCents,
        taxCents: p.taxCents,
        totalCents: p.totalCents,
        currency: place.o.currency,
        couponCode: null,
        riskScore: held ? rng.int(70, 95) : rng.int(1, 35),
        riskReviewStatus: held ? 'HELD' : 'NONE',
        notes: rng.pick(NOTES),
        refundPercent: null,
        cancelReason: null,
        cancelledBy: null,
        createdAt: new Date(created).toISOString(),
        updatedAt: new Date(Math.min(nowMs, created + 3_600_000)).toISOString(),
        version: status === 'PENDING' ? 1 : status === 'COMPLETED' ? 3 : 2,
      });
    }
  }
  return out;
}

/** Creates the two tenants (always) and the rows the seed option asks for; runs once, on a new file. */
export function applySeed(db: DB, option: SeedOption, nowMs: number): { ms: number; offerings: number; bookings: number } {
  const started = performance.now();
  const ref = Math.floor(nowMs / 86_400_000) * 86_400_000; // the start day: same options → same rows that day
  const insertTenant = db.prepare("INSERT OR IGNORE INTO tenants (id, subdomain, name, currency, timezone, kyb_status, kyb_verified_at, seq) VALUES (?, ?, ?, ?, ?, 'PENDING', NULL, 0)");
  let counts = { offerings: 0, bookings: 0 };
  // Secondary indexes are built once after a bulk load rather than maintained row by row.
  const bulk = ['bookings_seq', 'bookings_status_seq', 'bookings_completion', 'booking_items_slot', 'booking_items_booking'];
  const indexSql = bulk.map((name) => (db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?").get(name) as { sql: string }).sql);
  db.transaction(() => {
    for (const name of bulk) db.exec(`DROP INDEX ${name}`);
    for (const t of TENANTS) insertTenant.run(t.id, t.subdomain, t.name, t.currency, t.timezone);
    if (option === 'none') return;
    if (option === 'demo') {
      const a = seedTenant(db, TENANTS[0], ATLAS, { bookings: 320, rng: new Rng(20260512), ref, nowMs, demo: true });
      const h = seedTenant(db, TENANTS[1], HARBOR, { bookings: 70, rng: new Rng(351), ref, nowMs, demo: true });
      db.prepare("UPDATE tenants SET kyb_status = 'VERIFIED', kyb_verified_at = ? WHERE id = ?").run(new Date(ref - 40 * 86_400_000).toISOString(), TENANTS[1].id);
      counts = { offerings: a.offerings + h.offerings, bookings: a.bookings + h.bookings };
    } else {
      const templates: Template[] = [];
      const rng = new Rng(7);
      for (let i = 0; i < option.offerings; i++) {
        const base = ATLAS[i % 14]!;
        templates.push({ ...base, title: option.offerings <= 14 ? base.title : `${base.title} #${Math.floor(i / 14) + 1}`, status: 'PUBLISHED', price: base.price + rng.int(0, 20) * 100 });
      }
      const a = seedTenant(db, TENANTS[0], templates, { bookings: option.bookings, rng: new Rng(42), ref, nowMs, demo: false });
      counts = a;
    }
  })();
  db.transaction(() => {
    for (const sql of indexSql) db.exec(sql);
  })();
  return { ms: Math.round(performance.now() - started), ...counts };
}

// eslint-disable-next-line max-lines-per-function -- data: the demo tenant's offerings, coupons and bookings written out
function seedTenant(
  db: DB,
  tenant: TenantSeed,
  templates: Template[],
  opts: { bookings: number; rng: Rng; ref: number; nowMs: number; demo: boolean },
): { offerings: number; bookings: number } {
  const { rng, ref } = opts;
  const tz = tenant.timezone;
  const iso = (ms: number): string => new Date(ms).toISOString();
  let seq = (db.prepare('SELECT seq FROM tenants WHERE id = ?').get(tenant.id) as { seq: number }).seq;
  const putOffering = db.prepare('INSERT INTO offerings (id, tenant_id, seq, slug, status, deleted, doc) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const putRule = db.prepare('INSERT INTO availability_rules (id, tenant_id, offering_id, day_of_week, start_time, end_time, slot_minutes, capacity, valid_from, valid_until, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const putException = db.prepare('INSERT INTO availability_exceptions (id, tenant_id, offering_id, kind, date, start_time, end_time, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const putBooking = db.prepare('INSERT INTO bookings (id, tenant_id, seq, status, offering_id, first_start, last_end, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const putItem = db.prepare('INSERT INTO booking_items (id, booking_id, tenant_id, offering_id, starts_at, ends_at, quantity, active) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const putCoupon = db.prepare('INSERT INTO coupons (id, tenant_id, seq, code, deleted, doc) VALUES (?, ?, ?, ?, ?, ?)');

  // -- offerings and their weekly rules
  const offerings: { o: Offering; rules: AvailabilityRule[] }[] = [];
  const slugs = new Set<string>();
  for (const [i, t] of templates.entries()) {
    const created = ref - rng.int(60, 400) * 86_400_000 - rng.int(0, 86_399) * 1000;
    let slug = t.title.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
    if (slugs.has(slug)) slug = `${slug}-${i + 1}`;
    slugs.add(slug);
    const reviewCount = rng.int(0, 60);
    const o: Offering = {
      id: rng.id('off'),
      slug,
      title: t.title,
      description: t.description,
      status: t.status ?? 'PUBLISHED',
      productTypeKey: t.type,
      categories: t.categories,
      attributes: t.attributes,
      basePriceCents: t.price,
      currency: tenant.currency,
      taxRateBps: TAX[tenant.subdomain]?.[t.type] ?? 0,
      pricingModel: t.model,
      cancellationPolicy: t.policy,
      ratingAverage: reviewCount === 0 ? null : Math.round((3.8 + rng.next() * 1.2) * 10) / 10,
      reviewCount,
      createdAt: iso(created),
      updatedAt: iso(created + rng.int(0, 50) * 86_400_000),
      deletedAt: null,
      version: rng.int(1, 6),
    };
    const rules: AvailabilityRule[] = [];
    let position = 0;
    for (const h of t.hours) {
      for (const day of h.days) {
        const r: AvailabilityRule = { id: rng.id('avr'), offeringId: o.id, dayOfWeek: day, startTime: h.start, endTime: h.end, slotMinutes: h.slot, capacity: h.capacity, validFrom: null, validUntil: null };
        rules.push(r);
        putRule.run(r.id, tenant.id, o.id, r.dayOfWeek, r.startTime, r.endTime, r.slotMinutes, r.capacity, null, null, position++);
      }
    }
    putOffering.run(o.id, tenant.id, ++seq, o.slug, o.status, 0, JSON.stringify(o));
    offerings.push({ o, rules });
  }

  const localDay = (offsetDays: number): string => toLocal(ref + offsetDays * 86_400_000 + 12 * 3_600_000, tz).date;
  const blocked = new Set<string>();
  if (opts.demo) {
    // A few exceptions: a closure day for everything, a maintenance window, an extra open day.
    const closure = localDay(12);
    for (const { o } of offerings) {
      putException.run(rng.id('avx'), tenant.id, o.id, 'BLOCK', closure, null, null, tenant.subdomain === 'atlas' ? 'Staff training day' : 'Feriado municipal');
      blocked.add(`${o.id}|${closure}`);
    }
    const first = offerings[0];
    if (first && tenant.subdomain !== 'atlas') {
      putException.run(rng.id('avx'), tenant.id, first.o.id, 'BLOCK', localDay(6), '18:00', '23:00', 'Festival road closures');
    } else if (first) {
      putException.run(rng.id('avx'), tenant.id, first.o.id, 'BLOCK', localDay(5), '12:00', '15:00', 'Maintenance: floor refinishing');
      putException.run(rng.id('avx'), tenant.id, first.o.id, 'OPEN', localDay(9), '21:00', '23:00', 'Late opening for a launch party');
      putException.run(rng.id('avx'), tenant.id, first.o.id, 'BLOCK', localDay(-8), null, null, 'Private event');
      blocked.add(`${first.o.id}|${localDay(-8)}`);
    }
    const second = offerings[1];
    if (second && tenant.subdomain === 'atlas') putException.run(rng.id('avx'), tenant.id, second.o.id, 'OPEN', localDay(7 - new Date(ref).getUTCDay()), '10:00', '14:00', 'Sunday open studio');
  }

  // -- coupons
  const coupons: Coupon[] = [];
  if (opts.demo) {
    const c = (code: string, kind: Coupon['kind'], amount: number, extra: Partial<Coupon> = {}): void => {
      const created = ref - rng.int(10, 120) * 86_400_000;
      coupons.push({ id: rng.id('cpn'), code, kind, amount, currency: kind === 'FIXED' ? tenant.currency : null, validFrom: null, validUntil: null, maxRedemptions: null, minSubtotalCents: 0, redeemedCount: rng.int(0, 40), active: true, createdAt: iso(created), updatedAt: iso(created), deletedAt: null, version: 1, ...extra });
    };
    if (tenant.subdomain === 'atlas') {
      c('WELCOME10', 'PERCENT', 10, { maxRedemptions: 1000 });
      c('SUMMER25', 'PERCENT', 25, { validFrom: iso(ref - 30 * 86_400_000), validUntil: iso(ref + 60 * 86_400_000 - 1000), maxRedemptions: 500, minSubtotalCents: 5000 });
      c('STUDIO15OFF', 'FIXED', 1500, { minSubtotalCents: 10000, maxRedemptions: 200 });
      c('SPRING-FLASH', 'PERCENT', 30, { validFrom: iso(ref - 90 * 86_400_000), validUntil: iso(ref - 60 * 86_400_000), maxRedemptions: 50, redeemedCount: 50, active: false });
      c('OLDPROMO', 'PERCENT', 5, { deletedAt: iso(ref - 20 * 86_400_000), active: false, version: 2 });
    } else {
      c('SURF20', 'PERCENT', 20, { validUntil: iso(ref + 45 * 86_400_000) });
      c('BEMVINDO', 'FIXED', 500, { minSubtotalCents: 3000 });
    }
    for (const cp of coupons) putCoupon.run(cp.id, tenant.id, ++seq, cp.code, cp.deletedAt ? 1 : 0, JSON.stringify(cp));
  }

  // -- customers
  const customers: Customer[] = [];
  const customerCount = Math.max(20, Math.min(5000, Math.ceil(opts.bookings / 4)));
  for (let i = 0; i < customerCount; i++) {
    const name = `${FIRST[(i * 7 + rng.int(0, FIRST.length - 1)) % FIRST.length]} ${LAST[rng.int(0, LAST.length - 1)]}`;
    customers.push({ id: rng.id('cus'), name, email: asciiEmail(name, i), timezone: rng.pick(ZONES) });
  }

  // -- bookings, placed in real slots ±45 days around the reference day
  const bookable = offerings.filter((x) => x.o.status === 'PUBLISHED' && x.rules.length > 0);
  const slotCache = new Map<string, number>();
  const slotMs = (date: string, minutes: number): number => {
    const k = `${date}|${minutes}`;
    let v = slotCache.get(k);
    if (v === undefined) {
      v = fromLocal(date, minutes, tz);
      slotCache.set(k, v);
    }
    return v;
  };
  const dates: { date: string; weekday: number; offset: number }[] = [];
  for (let d = -45; d <= 45; d++) {
    const date = localDay(d);
    dates.push({ date, weekday: new Date(`${date}T00:00:00Z`).getUTCDay(), offset: d });
  }
  const taken = new Map<string, number>();
  const rows: Booking[] = [];
  const hhmm = (s: string): number => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));
  const discountCodes = coupons.filter((c) => c.kind === 'PERCENT' && !c.deletedAt && c.active);
  for (let n = 0; n < opts.bookings && bookable.length > 0; n++) {
    let placed: { o: Offering; start: number; end: number; offset: number; capacity: number } | null = null;
    for (let attempt = 0; attempt < 6 && !placed; attempt++) {
      const { o, rules } = bookable[rng.int(0, bookable.length - 1)]!;
      const day = dates[rng.int(0, dates.length - 1)]!;
      if (blocked.has(`${o.id}|${day.date}`)) continue;
      const dayRules = rules.filter((r) => r.dayOfWeek === day.weekday);
      if (dayRules.length === 0) continue;
      const r = dayRules[rng.int(0, dayRules.length - 1)]!;
      const slots = Math.floor((hhmm(r.endTime) - hhmm(r.startTime)) / r.slotMinutes);
      if (slots < 1) continue;
      const m = hhmm(r.startTime) + rng.int(0, slots - 1) * r.slotMinutes;
      const key = `${o.id}|${day.date}|${m}`;
      const used = taken.get(key) ?? 0;
      if (used >= r.capacity && attempt < 5) continue;
      taken.set(key, used + 1);
      placed = { o, start: slotMs(day.date, m), end: slotMs(day.date, m + r.slotMinutes), offset: day.offset, capacity: r.capacity };
    }
    if (!placed) {
      n--;
      continue;
    }
    const { o, start, end } = placed;
    // Decisions depend on the reference day only, so the same options give the same rows all day.
    const future = placed.offset >= 1;
    const past = end <= ref;
    const roll = rng.next();
    let status: BookingStatus;
    if (past) status = roll < 0.8 ? 'COMPLETED' : roll < 0.94 ? 'CANCELLED' : 'REFUNDED';
    else if (future) status = roll < 0.26 ? 'PENDING' : roll < 0.9 ? 'CONFIRMED' : 'CANCELLED';
    else status = roll < 0.9 ? 'CONFIRMED' : 'CANCELLED';
    const customer = customers[rng.int(0, customers.length - 1)]!;
    const coupon = discountCodes.length > 0 && rng.chance(0.12) ? rng.pick(discountCodes) : null;
    const quantity = o.productTypeKey === 'class' && rng.chance(0.2) ? 2 : 1;
    const p = price(o, start, end, quantity, coupon ? coupon.amount : 0);
    const created = Math.min(ref - rng.int(60, 3600) * 1000, start - rng.int(1, 21) * 86_400_000 - rng.int(0, 86_399) * 1000);
    const highRisk = rng.chance(status === 'PENDING' ? 0.22 : 0.07); // the approval queue shows a few held for review
    const risk = highRisk ? rng.int(70, 97) : rng.int(1, 38);
    let updated = created + rng.int(0, 3) * 3_600_000;
    let version = 1;
    let refundPercent: number | null = null;
    let cancelledBy: Booking['cancelledBy'] = null;
    let cancelReason: string | null = null;
    let paymentStatus: Booking['payments'][number]['status'] = status === 'PENDING' ? 'AUTHORIZED' : 'CAPTURED';
    if (status === 'CONFIRMED' || status === 'COMPLETED') version = 2;
    if (status === 'COMPLETED') {
      updated = end;
      version = 3;
    }
    if (status === 'CANCELLED' || status === 'REFUNDED') {
      const cancelAt = Math.min(ref - 60_000, created + rng.int(1, 14) * 86_400_000);
      updated = Math.max(created + 60_000, cancelAt);
      refundPercent = status === 'REFUNDED' ? 100 : refundPercentFor(o.cancellationPolicy, updated, start);
      cancelledBy = status === 'REFUNDED' ? 'provider' : rng.chance(0.6) ? 'customer' : 'provider';
      cancelReason = status === 'REFUNDED' ? 'Refunded after a dispute' : rng.pick(['Change of plans', 'Found another date', 'Weather', 'Double booking', 'Illness']);
      paymentStatus = refundPercent >= 100 ? 'REFUNDED' : refundPercent > 0 ? 'PARTIALLY_REFUNDED' : 'CAPTURED';
      version = 2;
    }
    updated = Math.min(updated, ref);
    const b: Booking = {
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
      couponCode: coupon ? coupon.code : null,
      riskScore: risk,
      riskReviewStatus: highRisk ? (status === 'PENDING' ? 'HELD' : 'CLEARED') : 'NONE',
      notes: rng.pick(NOTES),
      refundPercent,
      cancelReason,
      cancelledBy,
      createdAt: iso(created),
      updatedAt: iso(Math.max(updated, created)),
      version,
    };
    rows.push(b);
  }
  // The demo's today is a realistic day at the desk (its own random stream: the rows above stay as they were).
  if (opts.demo) rows.push(...todaysBookings({ tenant, bookable, customers, taken, nowMs: opts.nowMs, rng: new Rng(opts.rng.int(1, 2 ** 31)) }));
  rows.sort((a, b) => (a.updatedAt < b.updatedAt ? -1 : a.updatedAt > b.updatedAt ? 1 : 0));
  for (const b of rows) {
    const item = b.items[0]!;
    putBooking.run(b.id, tenant.id, ++seq, b.status, b.offeringId, item.startsAt, item.endsAt, JSON.stringify(b));
    // booking_items only serves slot counting (active items); finished bookings never become active again.
    if (b.status === 'PENDING' || b.status === 'CONFIRMED') putItem.run(item.id, b.id, tenant.id, item.offeringId, item.startsAt, item.endsAt, item.quantity, 1);
  }
  db.prepare('UPDATE tenants SET seq = ? WHERE id = ?').run(seq, tenant.id);
  return { offerings: offerings.length, bookings: rows.length };
}
