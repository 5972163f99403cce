// Child process for bench/sync.ts: the floor — the same pages fetched raw, the same rows inserted with
// raw better-sqlite3 in one transaction. Prints {ms, rows} of the second (warm) run;
// FLOOR_RUNS=1 measures the first run only (at 1M bookings one run is minutes).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const [url, KEY, dir] = process.argv.slice(2) as [string, string, string];

async function floor(url: string): Promise<{ ms: number; rows: number }> {
  const t0 = performance.now();
  const db = new Database(join(dir, 'floor.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE rec (id TEXT PRIMARY KEY, a TEXT, b TEXT, c TEXT, d TEXT, e TEXT, f TEXT, g INTEGER, h INTEGER, i INTEGER, j INTEGER, k TEXT, l TEXT, m TEXT, n INTEGER);
           CREATE TABLE item (id TEXT PRIMARY KEY, booking_id TEXT, s TEXT, e TEXT, q INTEGER, p INTEGER);
           CREATE TABLE pay (id TEXT PRIMARY KEY, booking_id TEXT, a INTEGER, c TEXT, s TEXT, t TEXT)`);
  const ins = db.prepare('INSERT OR REPLACE INTO rec VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)');
  const insItem = db.prepare('INSERT OR REPLACE INTO item VALUES (?,?,?,?,?,?)');
  const insPay = db.prepare('INSERT OR REPLACE INTO pay VALUES (?,?,?,?,?,?)');
  let rows = 0;
  // Each page is inserted as it arrives, all in one transaction: the floor holds one page at a time
  // (at 1M bookings, holding every page first would measure the garbage collector, not the work).
  const insertPage = db.transaction((page: Array<Record<string, unknown>>) => {
    for (const raw of page) {
      const c = (raw['customer'] ?? {}) as Record<string, unknown>;
      ins.run(String(raw['id']), String(raw['status'] ?? ''), String(raw['offeringId'] ?? raw['slug'] ?? ''), String(raw['offeringTitle'] ?? raw['title'] ?? ''), String(c['name'] ?? ''), String(c['email'] ?? ''), String(raw['currency'] ?? ''), Number(raw['totalCents'] ?? 0), Number(raw['taxCents'] ?? 0), Number(raw['subtotalCents'] ?? 0), Number(raw['riskScore'] ?? 0), String(raw['notes'] ?? ''), String(raw['createdAt'] ?? ''), String(raw['updatedAt'] ?? ''), Number(raw['version'] ?? 0));
      for (const it of (raw['items'] ?? []) as Array<Record<string, unknown>>) insItem.run(String(it['id']), String(raw['id']), String(it['startsAt']), String(it['endsAt']), Number(it['quantity'] ?? 1), Number(it['priceCents'] ?? 0));
      for (const p of (raw['payments'] ?? []) as Array<Record<string, unknown>>) insPay.run(String(p['id']), String(raw['id']), Number(p['amountCents'] ?? 0), String(p['currency'] ?? ''), String(p['status'] ?? ''), String(p['createdAt'] ?? ''));
      rows++;
    }
  });
  db.exec('BEGIN');
  for (const path of ['/v1/api/offerings?status=ALL&includeDeleted=true', '/v1/api/coupons?includeDeleted=true', '/v1/api/bookings']) {
    let cursor: string | null = null;
    for (let i = 0; i < 100_000; i++) {
      const get = async (): Promise<{ data: Array<Record<string, unknown>>; nextCursor: string | null; hasMore: boolean }> => {
        const res = await fetch(`${url}${path}${path.includes('?') ? '&' : '?'}limit=500${cursor ? `&cursor=${cursor}` : ''}`, { headers: { authorization: `Bearer ${KEY}` } });
        return (await res.json()) as { data: Array<Record<string, unknown>>; nextCursor: string | null; hasMore: boolean };
      };
      // A read is safe to repeat: a connection the server closed between requests is retried (as the core's pull does).
      const body = await get().catch(() => get()).catch(() => get());
      insertPage(body.data); // nested in the open transaction: a savepoint, no commit
      cursor = body.nextCursor;
      if (!body.hasMore) break;
    }
  }
  db.exec('COMMIT');
  db.close();
  return { ms: performance.now() - t0, rows };
}

if (process.env['FLOOR_RUNS'] !== '1') {
  await floor(url);
  for (const f of ['floor.db', 'floor.db-wal', 'floor.db-shm']) rmSync(join(dir, f), { force: true });
}
console.log(JSON.stringify(await floor(url)));
