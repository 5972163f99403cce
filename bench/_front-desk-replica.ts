/**
 * A replica of a large tenant for the front-desk benches, seeded directly with SQL through the
 * product's own schema (Replica.open runs every migration, so the FTS triggers and indexes are the
 * real ones; the random-key indexes are deferred and built after the load, as an initial sync does).
 * Shape: BOOKINGS bookings (default 1M) over OFFERINGS offerings (20k) with weekly availability
 * rules, one item each; 12 % PENDING (≥ 100k at 1M, 1 % of those HELD for risk review), 70 %
 * CONFIRMED, the rest COMPLETED or CANCELLED; created over three years, starts from two years back
 * to a year ahead (PENDING mostly ahead); customer names with diacritics (García, Müller, Nguyễn…).
 *
 * `ensureFrontDeskReplica(file)` builds it unless `file` already holds one (reuse with the env
 * BENCH_FRONT_DESK_DIR). Run alone: `node bench/_front-desk-replica.ts FILE` prints what it built.
 */
import { existsSync } from 'node:fs';
import { Replica } from '../src/main/core/replica/replica.ts';

export const BOOKINGS = Number(process.env['BENCH_BOOKINGS'] ?? 1_000_000);
export const OFFERINGS = Number(process.env['BENCH_OFFERINGS'] ?? 20_000);
export const TIME_ZONE = 'America/New_York';

const FIRST = ['Ana', 'Zoë', 'Łukasz', 'Chloé', 'José', 'Miyu', 'Björn', 'Aoife', 'Olúwaseun', 'Priya', 'Mateus', 'İlkay', 'Noa', 'Siobhán', 'Emma', 'Liam', 'Sofia', 'Kwame', 'Rafael', 'Greta', 'Fatima', 'Hiroshi', 'Amélie', 'Søren', 'Catalina', 'Marcus', 'Ingrid', 'Yusuf', 'Mei', 'Ava'];
const LAST = ['García', 'Müller', 'Nowak', 'Dubois', 'Álvarez', 'Tanaka', 'Lindqvist', 'Adéyemí', 'Conceição', 'Yılmaz', 'Kelly', 'Johnson', 'Smith', 'Brown', 'Rossi', 'Schmidt', 'Mensah', 'Nguyễn', 'Ortega', 'Volkov', 'Sato', 'Lefèvre', 'Jørgensen', 'Peña', 'Wright', 'Håkansson', 'Demir', 'Chen', 'Wilson', 'Martínez', 'Okafor', 'Kowalski', 'Ibrahim', 'Fischer', 'Moreau', 'Silva', 'Romano', 'Novak', 'Horvat', 'Petrov'];
const TITLES = ['Soho Loft', 'Podcast Booth', 'Rooftop Terrace', 'Meeting Room', 'Morning Vinyasa Flow', 'Pottery Wheel Basics', 'Salsa Night', 'Portrait Session', 'Mix & Master', 'Deep-Tissue Massage', 'Cargo Van', 'Vespa Half-Day', 'Cinema Camera Kit', 'LED Lighting Kit'];
const fold = (s: string): string => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z0-9]+/g, '');

/** A small deterministic generator (same file every time for the same sizes). */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4_294_967_296;
  };
}

export async function ensureFrontDeskReplica(file: string, now = Date.now()): Promise<{ built: boolean; seconds: number }> {
  const t0 = performance.now();
  if (existsSync(file)) {
    const replica = Replica.open(file);
    try {
      const n = (replica.sqlite.prepare('SELECT count(*) AS n FROM bookings').get() as { n: number }).n;
      if (n === BOOKINGS) return { built: false, seconds: 0 };
      throw new Error(`${file} holds ${n} bookings, not ${BOOKINGS}: remove it`);
    } finally {
      replica.close();
    }
  }
  const replica = Replica.open(file);
  try {
    replica.deferIndexesForInitialLoad();
    const db = replica.sqlite;
    const r = rng(16_000_001);
    const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
    const day = 86_400_000;
    const ref = Math.floor(now / day) * day;
    const iso = (ms: number): string => new Date(ms).toISOString();
    db.pragma('synchronous = OFF');
    const insOffering = db.prepare(
      `INSERT INTO offerings (id, slug, title, description, status, product_type_key, categories, attributes, base_price_cents, currency, tax_rate_bps, pricing_model,
        cancellation_policy, rating_average, review_count, created_at, updated_at, deleted_at, version) VALUES (?,?,?,'','PUBLISHED',?,'[]','{}',?,'USD',0,'ONE_TIME',?,NULL,0,?,?,NULL,1)`,
    );
    const insRule = db.prepare('INSERT INTO availability_rules (id, offering_id, day_of_week, start_time, end_time, slot_minutes, capacity, valid_from, valid_until) VALUES (?,?,?,?,?,?,?,NULL,NULL)');
    const offerings: Array<{ id: string; title: string; slot: number; capacity: number; price: number }> = [];
    db.transaction(() => {
      for (let i = 0; i < OFFERINGS; i++) {
        const kind = i % TITLES.length;
        const id = `off_${String(i).padStart(8, '0')}`;
        const title = `${TITLES[kind]} #${Math.floor(i / TITLES.length) + 1}`;
        const isClass = kind >= 4 && kind <= 6;
        const o = { id, title, slot: isClass ? 75 : 60, capacity: isClass ? 14 : kind === 9 ? 2 : 1, price: 2000 + int(0, 200) * 100 };
        offerings.push(o);
        insOffering.run(id, fold(title), title, isClass ? 'class' : 'service', o.price, ['FLEXIBLE', 'MODERATE', 'STRICT'][i % 3], iso(ref - 1000 * day), iso(ref - 1000 * day));
        for (let d = 0; d < 7; d++) insRule.run(`rul_${i}_${d}`, id, d, '00:00', '24:00', o.slot, o.capacity);
      }
    })();
    const insBooking = db.prepare(`INSERT INTO bookings VALUES (?,?,?,?,?,?,?,NULL,?,0,0,?,'USD',NULL,?,?,?,NULL,NULL,NULL,?,?,?,1)`);
    const insItem = db.prepare('INSERT INTO booking_items (id, booking_id, position, offering_id, starts_at, ends_at, quantity, price_cents) VALUES (?,?,0,?,?,?,?,?)');
    const BATCH = 20_000;
    for (let from = 0; from < BOOKINGS; from += BATCH) {
      db.transaction(() => {
        for (let i = from; i < Math.min(BOOKINGS, from + BATCH); i++) {
          const roll = r();
          const status = roll < 0.12 ? 'PENDING' : roll < 0.82 ? 'CONFIRMED' : roll < 0.93 ? 'COMPLETED' : 'CANCELLED';
          const o = offerings[int(0, offerings.length - 1)]!;
          const startDay = status === 'PENDING' ? (r() < 0.9 ? int(0, 365) : int(-30, -1)) : status === 'COMPLETED' ? int(-730, -1) : int(-730, 365);
          const start = ref + startDay * day + int(7, 20) * 3_600_000;
          const end = start + o.slot * 60_000;
          const created = Math.min(now - 60_000, start - int(1, 60) * day);
          const first = FIRST[int(0, FIRST.length - 1)]!;
          const last = LAST[int(0, LAST.length - 1)]!;
          const id = `bkg_${String(i).padStart(10, '0')}`;
          const quantity = o.capacity > 1 ? int(1, 2) : 1;
          const risk = status === 'PENDING' && r() < 0.01 ? 'HELD' : null;
          insBooking.run(id, status, o.id, o.title, `cus_${int(1, 200_000)}`, `${first} ${last}`, `${fold(first)}.${fold(last)}${int(1, 999)}@example.com`, o.price * quantity, o.price * quantity, int(0, 99), risk, r() < 0.2 ? 'Please have the room ready early.' : '', iso(start), iso(created), iso(created));
          insItem.run(`itm_${i}`, id, o.id, iso(start), iso(end), quantity, o.price);
        }
      })();
    }
    db.prepare("INSERT INTO meta (key, value) VALUES ('tenant', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(JSON.stringify({ id: 'tnt_bench', name: 'Bench Studios', currency: 'USD', timezone: TIME_ZONE }));
    db.prepare("INSERT INTO sync_state (resource, cursor, complete, rows_seen, last_sync_at) VALUES ('bookings', NULL, 1, ?, ?)").run(BOOKINGS, iso(now));
    db.pragma('synchronous = FULL');
  } finally {
    replica.close();
  }
  // The deferred indexes, as the end of an initial sync builds them.
  const again = Replica.open(file);
  try {
    await again.buildDeferredIndexes();
    again.sqlite.exec('ANALYZE');
  } finally {
    again.close();
  }
  return { built: true, seconds: (performance.now() - t0) / 1000 };
}

if (import.meta.filename === process.argv[1]) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: node bench/_front-desk-replica.ts FILE');
  const r = await ensureFrontDeskReplica(file);
  console.log(r.built ? `built ${BOOKINGS} bookings over ${OFFERINGS} offerings in ${r.seconds.toFixed(1)} s: ${file}` : `reused ${file}`);
}
