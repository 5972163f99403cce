/**
 * The import.* / feeds.* / calendar.export contract methods, driven through dispatchCall (validation
 * and error mapping included) against a real replica file and the sandbox over HTTP.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { ContractEvents, ImportProgressEvent, MethodName, MethodResults } from '../../src/shared/contract/types.ts';
import { ConsoleCore } from '../../src/main/core/core.ts';
import { findFeedByToken } from '../../src/main/core/calendar/index.ts';
import { dispatchCall } from '../../src/main/dispatch.ts';
import { startBridge } from '../../src/main/bridge/bridge.ts';
import { parseBoth } from '../calendar/helpers.ts';
import { KEY, sandbox, waitFor, type TestSandbox } from '../sync/helpers.ts';

let s: TestSandbox;
const cores: ConsoleCore[] = [];
let n = 0;

function openCore(): ConsoleCore {
  const core = new ConsoleCore({ dbFile: join(s.dir, `replica-${++n}.db`), api: { url: s.url, key: KEY }, transport: 'bridge', appVersion: 'test', holdMs: 0 });
  cores.push(core);
  return core;
}

async function call<M extends MethodName>(core: ConsoleCore, method: M, input: unknown): Promise<MethodResults[M]> {
  const out = await dispatchCall(core, method, input);
  if (!out.ok) throw Object.assign(new Error(`${method}: ${out.error.code} ${out.error.message}`), { code: out.error.code });
  return out.result as MethodResults[M];
}

async function callError(core: ConsoleCore, method: MethodName, input: unknown): Promise<{ code: string; message: string }> {
  const out = await dispatchCall(core, method, input);
  if (out.ok) throw new Error(`${method} was expected to fail`);
  return out.error;
}

const b64 = (text: string | Uint8Array): string => Buffer.from(text).toString('base64');

function outboxCount(core: ConsoleCore): number {
  return (core.replica.stmt('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
}

beforeAll(async () => {
  s = await sandbox();
});
afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
});
afterAll(async () => {
  await s.close();
});

describe('import.* through the contract', () => {
  it('checks a valid file with progress, commits it, and the offerings reach the server as DRAFT', async () => {
    const core = openCore();
    await core.runOnce(60_000);
    const progress: ImportProgressEvent[] = [];
    const changed: Array<ContractEvents['data.changed']> = [];
    core.on((event, payload) => {
      if (event === 'import.progress') progress.push(payload as ImportProgressEvent);
      if (event === 'data.changed') changed.push(payload as ContractEvents['data.changed']);
    });
    const csv = [
      'slug,Nombre,product_type,Precio,currency,weekday,start_time,end_time',
      'xtra-loft,Extra Loft,space,"1.234,50",EUR,Mon,9:00,17:00',
      'xtra-loft,,,,,Tue,9:00,17:00',
      'xtra-yoga,Extra Yoga,class,18.5,USD,Sat,8:00 AM,9:30 AM',
    ].join('\r\n');
    const checked = await call(core, 'import.check', { fileName: 'cat.csv', contentBase64: b64(csv), requestId: 'req-1' });
    expect(checked.view.ok).toBe(true);
    expect(checked.fileName).toBe('cat.csv');
    expect(checked.view.preview.counts.offerings.create).toBe(2);
    expect(checked.view.preview.counts.rules).toBe(3);
    const byHeader = Object.fromEntries(checked.view.mapping!.columns.map((c) => [c.header, c]));
    expect(byHeader['Nombre']).toMatchObject({ field: 'title', method: 'alias' });
    expect(byHeader['Precio']).toMatchObject({ field: 'base_price', method: 'alias' });
    expect(progress.some((p) => p.requestId === 'req-1' && p.phase === 'parse' && p.bytesProcessed === p.bytesTotal)).toBe(true);

    const before = outboxCount(core);
    core.start();
    const committed = await call(core, 'import.commit', { token: checked.token });
    expect(committed).toMatchObject({ created: 2, updated: 0, unchanged: 0, rules: 3, intents: 2 });
    expect(outboxCount(core)).toBe(before + 2);
    expect(changed.some((c) => c.tables.includes('offerings'))).toBe(true);
    // The same token cannot commit twice.
    expect((await callError(core, 'import.commit', { token: checked.token })).code).toBe('NOT_FOUND');

    const server = await waitFor('both offerings on the server', async () => {
      const list = await s.api<{ data: Array<{ slug: string; status: string; basePriceCents: number; currency: string }> }>('/api/offerings?status=ALL&limit=500');
      const mine = list.data.filter((o) => o.slug.startsWith('xtra-'));
      return mine.length === 2 ? mine : null;
    });
    expect(server.map((o) => o.status)).toEqual(['DRAFT', 'DRAFT']);
    expect(server.find((o) => o.slug === 'xtra-loft')).toMatchObject({ basePriceCents: 123450, currency: 'EUR' });

    const status = await waitFor('batch sent', async () => {
      const st = await call(core, 'import.status', { batchId: committed.batchId });
      return st && st.counts.sent === 2 ? st : null;
    });
    expect(status.items.map((i) => i.localRules).sort()).toEqual([1, 2]);
    const batches = await call(core, 'import.batches', {});
    expect(batches[0]).toMatchObject({ id: committed.batchId, fileName: 'cat.csv', created: 2 });

    // Availability stays local (v1 has no write endpoint) and the check says so.
    const verified = await call(core, 'import.verifyAvailability', { batchId: committed.batchId });
    expect(verified.checks).toHaveLength(2);
    expect(verified.checks.every((c) => c.onServer === 0 && c.missing.length === c.local.length && c.error === null)).toBe(true);
    expect(verified.portalSummary).toContain('xtra-loft');

    // A second import of the same file changes nothing.
    const again = await call(core, 'import.check', { fileName: 'cat.csv', contentBase64: b64(csv) });
    expect(again.view.preview.counts.offerings).toMatchObject({ create: 0, unchanged: 2 });
  });

  it('an invalid file returns per-cell errors with line and column, writes nothing and cannot be committed', async () => {
    const core = openCore();
    const csv = ['slug,title,product_type,base_price,currency', 'Bad Slug,Ok,space,10,USD', '', 'ok-two,Two,space,"12,5,0",USD', 'ok-three,Three,spaceship,10,ZZZ'].join('\n');
    const checked = await call(core, 'import.check', { fileName: 'bad.csv', contentBase64: b64(csv) });
    expect(checked.view.ok).toBe(false);
    const errors = checked.view.issues.filter((i) => i.severity === 'error');
    expect(errors.length).toBeGreaterThanOrEqual(4);
    const at = (line: number, column: string) => errors.find((e) => e.line === line && e.column === column);
    expect(at(2, 'slug')).toMatchObject({ columnLetter: 'A', value: 'Bad Slug' });
    expect(at(4, 'base_price')).toMatchObject({ columnLetter: 'D' });
    expect(at(4, 'base_price')?.message).toMatch(/^line 4, column "base_price" \(D\)/);
    expect(at(5, 'product_type')).toBeTruthy();
    expect(at(5, 'currency')).toBeTruthy();

    const before = outboxCount(core);
    const refused = await callError(core, 'import.commit', { token: checked.token });
    expect(refused.code).toBe('CONFLICT');
    expect(outboxCount(core)).toBe(before);
    expect(await call(core, 'import.batches', {})).toEqual([]);

    const report = await call(core, 'import.errorReport', { token: checked.token });
    expect(report.rows).toBe(checked.view.issues.length);
    expect(report.csv.split('\r\n')[0]).toContain('line,column,column_letter,severity,code,message');
    expect(report.csv).toContain('Bad Slug');
  });

  it('a missing required column is a file error; a mapping override fixes it; the error report escapes formulas', async () => {
    const core = openCore();
    const csv = ['slug,Label,product_type,base_price,currency,notes', 'fx-one,=SUM(A1:A2),space,10,USD,hi', 'fx-two,Two,space,abc,USD,'].join('\n');
    const first = await call(core, 'import.check', { fileName: 'm.csv', contentBase64: b64(csv) });
    expect(first.view.mapping?.missingRequired).toEqual(['title']);
    expect(first.view.mapping?.ignored).toEqual(expect.arrayContaining(['Label', 'notes']));
    const second = await call(core, 'import.check', { fileName: 'm.csv', contentBase64: b64(csv), mapping: { Label: 'title', notes: null } });
    expect(second.view.mapping?.missingRequired).toEqual([]);
    expect(second.view.mapping?.columns.find((c) => c.header === 'Label')).toMatchObject({ field: 'title', method: 'override' });
    const report = await call(core, 'import.errorReport', { token: second.token });
    expect(report.csv).toContain(`'=SUM(A1:A2)`);
    expect(report.csv).not.toMatch(/(^|,)=SUM/m);

    // Encoding and delimiter overrides are honoured.
    const latin = Buffer.concat([Buffer.from('slug;title;product_type;base_price;currency\r\ncafe-one;Caf'), Buffer.from([0xe9]), Buffer.from(';space;12,50;EUR\r\n')]);
    const auto = await call(core, 'import.check', { fileName: 'l.csv', contentBase64: b64(latin) });
    expect(auto.view.decode).toMatchObject({ encoding: 'windows-1252', fellBack: true });
    expect(auto.view.delimiter).toBe(';');
    expect(auto.view.preview.samples.create[0]?.fields.title).toBe('Café');
    const forced = await call(core, 'import.check', { fileName: 'l.csv', contentBase64: b64(latin), encoding: 'utf-8' });
    expect(forced.view.ok).toBe(false);
    expect(forced.view.issues[0]?.code).toBe('file.encoding');
    expect((await callError(core, 'import.check', { fileName: 'l.csv', contentBase64: b64(latin), delimiter: '|' })).code).toBe('BAD_INPUT');
  });

  it('a file whose base64 is over 16 MiB is accepted by the bridge and checked with progress events', async () => {
    const core = openCore();
    const rows = ['slug,title,product_type,base_price,currency,description'];
    const pad = 'x'.repeat(120);
    for (let i = 0; i < 100_000; i++) rows.push(`big-${i},Big ${i},space,10,USD,${pad}`);
    const content = b64(rows.join('\n'));
    expect(content.length).toBeGreaterThan(16 * 1024 * 1024);
    const progress: ImportProgressEvent[] = [];
    core.on((event, payload) => {
      if (event === 'import.progress') progress.push(payload as ImportProgressEvent);
    });
    const bridge = await startBridge({ host: core });
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
      const mine = progress.filter((p) => p.requestId === 'big');
      expect(mine.length).toBeGreaterThan(1);
      expect(mine.at(-1)).toMatchObject({ phase: 'parse', bytesProcessed: mine.at(-1)!.bytesTotal });
    } finally {
      await bridge.close();
    }
  }, 120_000);

  it('template in both languages; unknown batches are NOT_FOUND', async () => {
    const core = openCore();
    const en = await call(core, 'import.template', { language: 'en' });
    const es = await call(core, 'import.template', { language: 'es' });
    expect(en.csv.startsWith('\ufeffslug,title,')).toBe(true);
    expect(en.columns.find((c) => c.name === 'slug')).toMatchObject({ required: 'always' });
    expect(es.columns.find((c) => c.name === 'slug')?.description).toMatch(/Clave/);
    expect((await callError(core, 'import.rollback', { batchId: 'imp_nope' })).code).toBe('NOT_FOUND');
    expect((await callError(core, 'import.resume', { batchId: 'imp_nope', fixes: {} })).code).toBe('NOT_FOUND');
  });
});

describe('feeds.* and calendar.export', () => {
  it('add, list, rotate and revoke round-trip; the token opens the feed only until rotated', async () => {
    const core = openCore();
    const tables: string[][] = [];
    core.on((event, payload) => {
      if (event === 'data.changed') tables.push((payload as ContractEvents['data.changed']).tables);
    });
    const added = await call(core, 'feeds.add', { name: 'Front desk', filters: { includePending: true } });
    expect(added.token).toMatch(/^ocf_/);
    expect(added.localPath).toBe(`/calendar/${added.token}.ics`);
    expect(added.feed).toMatchObject({ name: 'Front desk', revoked: false, publicUrl: null, localPath: added.localPath });
    expect(added.feed.filters.includePending).toBe(true);
    expect(findFeedByToken(core.replica, added.token)?.id).toBe(added.feed.id);

    const list = await call(core, 'feeds.list', {});
    expect(list.map((f) => f.id)).toEqual([added.feed.id]);
    expect(list[0]?.localPath).toBeNull();
    expect(JSON.stringify(list)).not.toContain(added.token);

    const rotated = await call(core, 'feeds.rotate', { id: added.feed.id });
    expect(rotated.token).not.toBe(added.token);
    expect(findFeedByToken(core.replica, added.token)).toBeNull();
    expect(findFeedByToken(core.replica, rotated.token)?.id).toBe(added.feed.id);

    const revoked = await call(core, 'feeds.revoke', { id: added.feed.id });
    expect(tables.filter((t) => t.includes('feeds'))).toHaveLength(3);
    expect(revoked.revoked).toBe(true);
    expect(findFeedByToken(core.replica, rotated.token)).toBeNull();
    expect(await call(core, 'feeds.list', {})).toEqual([]);
    expect((await call(core, 'feeds.list', { includeRevoked: true })).map((f) => f.revoked)).toEqual([true]);
    expect((await callError(core, 'feeds.rotate', { id: added.feed.id })).code).toBe('NOT_FOUND');
    expect((await callError(core, 'feeds.add', { name: '   ' })).code).toBe('BAD_INPUT');
  });

  it('calendar.export returns ICS both parsers read, filtered by date range', async () => {
    const core = openCore();
    await core.runOnce(60_000);
    const all = await call(core, 'calendar.export', { includePending: true });
    expect(all.fileName).toBe('bookings.ics');
    const parsed = parseBoth(all.ics);
    expect(parsed.events.length).toBe(all.events);
    expect(all.events).toBeGreaterThan(0);
    const starts = parsed.events.map((e) => e.start).sort((a, b) => a - b);
    const mid = new Date(starts[Math.floor(starts.length / 2)]!).toISOString();
    const late = await call(core, 'calendar.export', { from: mid, includePending: true });
    expect(late.fileName).toBe(`bookings-${mid.slice(0, 10)}_end.ics`);
    expect(late.events).toBeGreaterThan(0);
    expect(late.events).toBeLessThan(all.events);
    expect(parseBoth(late.ics).events.every((e) => e.end > Date.parse(mid))).toBe(true);
    expect((await callError(core, 'calendar.export', { from: mid, to: mid })).code).toBe('BAD_INPUT');
  });
});
