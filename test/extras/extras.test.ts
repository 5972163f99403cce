/**
 * The import.* / feeds.* / calendar.export contract methods, driven through dispatchCall (validation
 * and error mapping included) against a real replica file and the sandbox over HTTP.
 */
import Database from 'better-sqlite3';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ImportProgressEvent, MethodResults } from '../../src/shared/contract/types.ts';
import { createFeedHandler } from '../../src/main/core/calendar/index.ts';
import { startBridge } from '../../src/main/bridge/bridge.ts';
import { parseBoth } from '../calendar/helpers.ts';
import { countRows, openCore, type TestCore } from '../support/core.ts';
import type { SandboxFixture } from '../support/sandbox.ts';
import { waitFor } from '../support/wait-for.ts';
import { KEY, sandbox } from '../sync/helpers.ts';

let s: SandboxFixture;
const cores: TestCore[] = [];
let n = 0;

function open(): TestCore {
  const c = openCore({ dbFile: join(s.dir, `replica-${++n}.db`), api: { url: s.url, key: KEY }, transport: 'bridge', appVersion: 'test', holdMs: 0 });
  cores.push(c);
  return c;
}

const b64 = (text: string | Uint8Array): string => Buffer.from(text).toString('base64');

/** What a calendar app gets for a feed token: the local feed server on its own read-only connection (as `serve` mounts it). */
async function feedStatus(dbFile: string, token: string): Promise<number> {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  const handler = createFeedHandler(db);
  const server = createServer((req, res) => {
    if (!handler(req, res)) {
      res.writeHead(500);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/calendar/${token}.ics`);
    await res.arrayBuffer();
    return res.status;
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    db.close();
  }
}

beforeAll(async () => {
  s = await sandbox();
});
afterEach(async () => {
  for (const c of cores.splice(0)) await c.core.close();
});
afterAll(async () => {
  await s.dispose();
});

describe('import.* through the contract', () => {
  it('checks a valid file with progress, commits it, and the offerings reach the server as DRAFT', async () => {
    const c = open();
    await c.core.runOnce(60_000);
    const progress = (): ImportProgressEvent[] => c.eventsOf('import.progress');
    const changed = () => c.eventsOf('data.changed');
    const csv = [
      'slug,Nombre,product_type,Precio,currency,weekday,start_time,end_time',
      'xtra-loft,Extra Loft,space,"1.234,50",EUR,Mon,9:00,17:00',
      'xtra-loft,,,,,Tue,9:00,17:00',
      'xtra-yoga,Extra Yoga,class,18.5,USD,Sat,8:00 AM,9:30 AM',
    ].join('\r\n');
    const checked = await c.call('import.check', { fileName: 'cat.csv', contentBase64: b64(csv), requestId: 'req-1' });
    expect(checked.view.ok).toBe(true);
    expect(checked.fileName).toBe('cat.csv');
    expect(checked.view.preview.counts.offerings.create).toBe(2);
    expect(checked.view.preview.counts.rules).toBe(3);
    const byHeader = Object.fromEntries(checked.view.mapping!.columns.map((c) => [c.header, c]));
    expect(byHeader['Nombre']).toMatchObject({ field: 'title', method: 'alias' });
    expect(byHeader['Precio']).toMatchObject({ field: 'base_price', method: 'alias' });
    expect(progress().some((p) => p.requestId === 'req-1' && p.phase === 'parse' && p.bytesProcessed === p.bytesTotal)).toBe(true);

    const before = countRows(c.dbFile, 'outbox');
    c.core.start();
    const committed = await c.call('import.commit', { token: checked.token });
    expect(committed).toMatchObject({ created: 2, updated: 0, unchanged: 0, rules: 3, intents: 2 });
    expect(countRows(c.dbFile, 'outbox')).toBe(before + 2);
    expect(changed().some((e) => e.tables.includes('offerings'))).toBe(true);
    // The same token cannot commit twice.
    expect((await c.callError('import.commit', { token: checked.token })).code).toBe('NOT_FOUND');

    const server = await waitFor(async () => {
      const list = await s.getJson<{ data: Array<{ slug: string; status: string; basePriceCents: number; currency: string }> }>('/api/offerings?status=ALL&limit=500');
      const mine = list.data.filter((o) => o.slug.startsWith('xtra-'));
      return mine.length === 2 ? mine : null;
    }, 'both offerings on the server');
    expect(server.map((o) => o.status)).toEqual(['DRAFT', 'DRAFT']);
    expect(server.find((o) => o.slug === 'xtra-loft')).toMatchObject({ basePriceCents: 123450, currency: 'EUR' });

    const status = await waitFor(async () => {
      const st = await c.call('import.status', { batchId: committed.batchId });
      return st && st.counts.sent === 2 ? st : null;
    }, 'batch sent');
    expect(status.items.map((i) => i.localRules).sort()).toEqual([1, 2]);
    const batches = await c.call('import.batches', {});
    expect(batches[0]).toMatchObject({ id: committed.batchId, fileName: 'cat.csv', created: 2 });

    // Availability stays local (v1 has no write endpoint) and the check says so.
    const verified = await c.call('import.verifyAvailability', { batchId: committed.batchId });
    expect(verified.checks).toHaveLength(2);
    expect(verified.checks.every((c) => c.onServer === 0 && c.missing.length === c.local.length && c.error === null)).toBe(true);
    expect(verified.portalSummary).toContain('xtra-loft');

    // A second import of the same file changes nothing.
    const again = await c.call('import.check', { fileName: 'cat.csv', contentBase64: b64(csv) });
    expect(again.view.preview.counts.offerings).toMatchObject({ create: 0, unchanged: 2 });
  });

  it('an invalid file returns per-cell errors with line and column, writes nothing and cannot be committed', async () => {
    const c = open();
    const csv = ['slug,title,product_type,base_price,currency', 'Bad Slug,Ok,space,10,USD', '', 'ok-two,Two,space,"12,5,0",USD', 'ok-three,Three,spaceship,10,ZZZ'].join('\n');
    const checked = await c.call('import.check', { fileName: 'bad.csv', contentBase64: b64(csv) });
    expect(checked.view.ok).toBe(false);
    const errors = checked.view.issues.filter((i) => i.severity === 'error');
    expect(errors.length).toBeGreaterThanOrEqual(4);
    const at = (line: number, column: string) => errors.find((e) => e.line === line && e.column === column);
    expect(at(2, 'slug')).toMatchObject({ columnLetter: 'A', value: 'Bad Slug' });
    expect(at(4, 'base_price')).toMatchObject({ columnLetter: 'D' });
    expect(at(4, 'base_price')?.message).toMatch(/^line 4, column "base_price" \(D\)/);
    expect(at(5, 'product_type')).toBeTruthy();
    expect(at(5, 'currency')).toBeTruthy();

    const before = countRows(c.dbFile, 'outbox');
    const refused = await c.callError('import.commit', { token: checked.token });
    expect(refused.code).toBe('CONFLICT');
    expect(countRows(c.dbFile, 'outbox')).toBe(before);
    expect(await c.call('import.batches', {})).toEqual([]);

    const report = await c.call('import.errorReport', { token: checked.token });
    expect(report.rows).toBe(checked.view.issues.length);
    expect(report.csv.split('\r\n')[0]).toContain('line,column,column_letter,severity,code,message');
    expect(report.csv).toContain('Bad Slug');
  });

  it('a missing required column is a file error; a mapping override fixes it; the error report escapes formulas', async () => {
    const c = open();
    const csv = ['slug,Label,product_type,base_price,currency,notes', 'fx-one,=SUM(A1:A2),space,10,USD,hi', 'fx-two,Two,space,abc,USD,'].join('\n');
    const first = await c.call('import.check', { fileName: 'm.csv', contentBase64: b64(csv) });
    expect(first.view.mapping?.missingRequired).toEqual(['title']);
    expect(first.view.mapping?.ignored).toEqual(expect.arrayContaining(['Label', 'notes']));
    const second = await c.call('import.check', { fileName: 'm.csv', contentBase64: b64(csv), mapping: { Label: 'title', notes: null } });
    expect(second.view.mapping?.missingRequired).toEqual([]);
    expect(second.view.mapping?.columns.find((c) => c.header === 'Label')).toMatchObject({ field: 'title', method: 'override' });
    const report = await c.call('import.errorReport', { token: second.token });
    expect(report.csv).toContain(`'=SUM(A1:A2)`);
    expect(report.csv).not.toMatch(/(^|,)=SUM/m);

    // Encoding and delimiter overrides are honoured.
    const latin = Buffer.concat([Buffer.from('slug;title;product_type;base_price;currency\r\ncafe-one;Caf'), Buffer.from([0xe9]), Buffer.from(';space;12,50;EUR\r\n')]);
    const auto = await c.call('import.check', { fileName: 'l.csv', contentBase64: b64(latin) });
    expect(auto.view.decode).toMatchObject({ encoding: 'windows-1252', fellBack: true });
    expect(auto.view.delimiter).toBe(';');
    expect(auto.view.preview.samples.create[0]?.fields.title).toBe('Café');
    const forced = await c.call('import.check', { fileName: 'l.csv', contentBase64: b64(latin), encoding: 'utf-8' });
    expect(forced.view.ok).toBe(false);
    expect(forced.view.issues[0]?.code).toBe('file.encoding');
    expect((await c.callError('import.check', { fileName: 'l.csv', contentBase64: b64(latin), delimiter: '|' })).code).toBe('BAD_INPUT');
  });

  it('a file whose base64 is over 16 MiB is accepted by the bridge and checked with progress events', async () => {
    const c = open();
    const rows = ['slug,title,product_type,base_price,currency,description'];
    const pad = 'x'.repeat(120);
    for (let i = 0; i < 100_000; i++) rows.push(`big-${i},Big ${i},space,10,USD,${pad}`);
    const content = b64(rows.join('\n'));
    expect(content.length).toBeGreaterThan(16 * 1024 * 1024);
    const bridge = await startBridge({ host: c.core });
    try {
      const res = await fetch(`${bridge.url}/api/call`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${bridge.token}` },
        body: JSON.stringify({ method: 'import.check', input: { fileName: 'big.csv', contentBase64: content, requestId: 'big' } }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { result: MethodResults['import.check'] };
      expect(body.result.view.ok).toBe(true);
      expect(body.result.view.preview.counts.offerings.create).toBe(100_000);
      expect(body.result.view.preview.samples.create).toHaveLength(50);
      const mine = c.eventsOf('import.progress').filter((p: ImportProgressEvent) => p.requestId === 'big');
      expect(mine.length).toBeGreaterThan(1);
      expect(mine.at(-1)).toMatchObject({ phase: 'parse', bytesProcessed: mine.at(-1)!.bytesTotal });
    } finally {
      await bridge.close();
    }
  }, 120_000);

  it('template in both languages; unknown batches are NOT_FOUND', async () => {
    const c = open();
    const en = await c.call('import.template', { language: 'en' });
    const es = await c.call('import.template', { language: 'es' });
    expect(en.csv.startsWith('\ufeffslug,title,')).toBe(true);
    expect(en.columns.find((c) => c.name === 'slug')).toMatchObject({ required: 'always' });
    expect(es.columns.find((c) => c.name === 'slug')?.description).toMatch(/Clave/);
    expect((await c.callError('import.rollback', { batchId: 'imp_nope' })).code).toBe('NOT_FOUND');
    expect((await c.callError('import.resume', { batchId: 'imp_nope', fixes: {} })).code).toBe('NOT_FOUND');
  });
});

describe('feeds.* and calendar.export', () => {
  it('add, list, rotate and revoke round-trip; the token opens the feed only until rotated', async () => {
    const c = open();
    const added = await c.call('feeds.add', { name: 'Front desk', filters: { includePending: true } });
    expect(added.token).toMatch(/^ocf_/);
    expect(added.localPath).toBe(`/calendar/${added.token}.ics`);
    expect(added.feed).toMatchObject({ name: 'Front desk', revoked: false, publicUrl: null, localPath: added.localPath });
    expect(added.feed.filters.includePending).toBe(true);
    expect(await feedStatus(c.dbFile, added.token)).toBe(200);

    const list = await c.call('feeds.list', {});
    expect(list.map((f) => f.id)).toEqual([added.feed.id]);
    expect(list[0]?.localPath).toBeNull();
    expect(JSON.stringify(list)).not.toContain(added.token);

    const rotated = await c.call('feeds.rotate', { id: added.feed.id });
    expect(rotated.token).not.toBe(added.token);
    expect(await feedStatus(c.dbFile, added.token)).toBe(404);
    expect(await feedStatus(c.dbFile, rotated.token)).toBe(200);

    const revoked = await c.call('feeds.revoke', { id: added.feed.id });
    expect(c.eventsOf('data.changed').filter((e) => e.tables.includes('feeds'))).toHaveLength(3);
    expect(revoked.revoked).toBe(true);
    expect(await feedStatus(c.dbFile, rotated.token)).toBe(404);
    expect(await c.call('feeds.list', {})).toEqual([]);
    expect((await c.call('feeds.list', { includeRevoked: true })).map((f) => f.revoked)).toEqual([true]);
    expect((await c.callError('feeds.rotate', { id: added.feed.id })).code).toBe('NOT_FOUND');
    expect((await c.callError('feeds.add', { name: '   ' })).code).toBe('BAD_INPUT');
  });

  it('calendar.export returns ICS both parsers read, filtered by date range', async () => {
    const c = open();
    await c.core.runOnce(60_000);
    const all = await c.call('calendar.export', { includePending: true });
    expect(all.fileName).toBe('bookings.ics');
    const parsed = parseBoth(all.ics ?? '');
    expect(parsed.events.length).toBe(all.events);
    expect(all.events).toBeGreaterThan(0);
    const starts = parsed.events.map((e) => e.start).sort((a, b) => a - b);
    const mid = new Date(starts[Math.floor(starts.length / 2)]!).toISOString();
    const late = await c.call('calendar.export', { from: mid, includePending: true });
    expect(late.fileName).toBe(`bookings-${mid.slice(0, 10)}_end.ics`);
    expect(late.events).toBeGreaterThan(0);
    expect(late.events).toBeLessThan(all.events);
    expect(parseBoth(late.ics ?? '').events.every((e) => e.end > Date.parse(mid))).toBe(true);
    expect((await c.callError('calendar.export', { from: mid, to: mid })).code).toBe('BAD_INPUT');
  });
});
