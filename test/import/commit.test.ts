/**
 * Unit: commit into the real replica (SQLite file), the outbox batch, and what happens after: pause
 * on a refusal, fix and resume, roll back, availability verification against a fake server. (The
 * same on the real sandbox, through the contract: batch.test.ts.)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { analyzeImport, commitImport, importCsv, ImportRejected } from '../../src/main/core/import/index.ts';
import { commitPlan } from '../../src/main/core/import/commit.ts';
import {
  batchStatus,
  pauseBatchOnRefusal,
  pauseRefusedBatches,
  portalSummary,
  resumeBatch,
  rollbackBatch,
  verifyBatchAvailability,
  type ReplicaImportSink,
} from '../../src/main/core/import/replica-sink.ts';
import { Outbox } from '../../src/main/core/sync/outbox.ts';
import type { IntentRow } from '../../src/main/core/sync/overlay.ts';
import type { Replica } from '../../src/main/core/replica/replica.ts';
import { fingerprint, openReplica, seedOffering, tempDir } from './helpers.ts';

let t: ReturnType<typeof tempDir>;
let replica: Replica;
let sink: ReplicaImportSink;

beforeEach(() => {
  t = tempDir();
  ({ replica, sink } = openReplica(t.dir));
});
afterEach(() => {
  replica.close();
  t.cleanup();
});

const HEAD = 'slug,title,product_type,status,base_price,currency,weekday,start_time,end_time,slot_minutes,capacity';

function csv(name: string, rows: string[]): string {
  const file = join(t.dir, name);
  writeFileSync(file, [HEAD, ...rows].join('\n') + '\n');
  return file;
}

const intents = (): IntentRow[] => replica.sqlite.prepare('SELECT * FROM outbox ORDER BY seq').all() as IntentRow[];

describe('commit', () => {
  it('writes create intents with their own idempotency keys, DRAFT by default, and local-only rules', async () => {
    const file = csv('a.csv', ['loft,Loft,space,,120,USD,Mon,9:00,17:00,60,2', 'loft,,,,,,Tue,9:00,17:00,60,2', 'bike,Bike,vehicle,PUBLISHED,15,USD,,,,,']);
    const { analysis, commit } = await importCsv({ kind: 'file', path: file }, sink);
    expect(analysis.ok).toBe(true);
    expect(commit).toMatchObject({ created: 2, updated: 0, unchanged: 0, rules: 2, intents: 2 });
    const rows = intents();
    expect(rows.map((r) => [r.kind, r.method, r.path, r.state])).toEqual([
      ['offering.create', 'POST', '/api/offerings', 'queued'],
      ['offering.create', 'POST', '/api/offerings', 'queued'],
    ]);
    const keys = rows.map((r) => (r as unknown as { idempotency_key: string }).idempotency_key);
    expect(new Set(keys).size).toBe(2);
    expect(rows.every((r) => r.target_id.startsWith('tmp_off_'))).toBe(true);
    expect(JSON.parse(rows[0]!.body!)).toEqual({ slug: 'loft', status: 'DRAFT', title: 'Loft', productTypeKey: 'space', basePriceCents: 12000, currency: 'USD' });
    expect(JSON.parse(rows[1]!.body!)).toMatchObject({ slug: 'bike', status: 'PUBLISHED' });
    expect(JSON.parse(rows[0]!.payload)).toMatchObject({ fields: { slug: 'loft' }, importBatchId: commit!.batchId, slug: 'loft', line: 2 });
    // The rules are local: the sync's wholesale replace of availability_rules does not touch them.
    replica.transaction(() => replica.replaceAvailability([], []));
    expect(replica.sqlite.prepare('SELECT COUNT(*) AS n FROM import_rules').get()).toEqual({ n: 2 });
    // The new offerings are visible to the next check (pending creates count as existing).
    const again = await analyzeImport({ kind: 'file', path: file }, { existing: sink.loadExisting() });
    expect(again.view.preview.counts.offerings).toEqual({ create: 0, update: 0, unchanged: 2, error: 0 });
  });

  it('updates an existing offering with a patch of only the changed fields (base version, previous values); identical → unchanged', async () => {
    seedOffering(replica, { id: 'off_1', slug: 'loft', title: 'Loft', basePriceCents: 10000, version: 4 });
    seedOffering(replica, { id: 'off_2', slug: 'same', title: 'Same', basePriceCents: 10000, version: 2 });
    const file = csv('u.csv', ['loft,Loft,space,PUBLISHED,120,USD,,,,,', 'same,Same,space,,100,USD,,,,,']);
    const { analysis, commit } = await importCsv({ kind: 'file', path: file }, sink);
    expect(analysis.view.preview.counts.offerings).toEqual({ create: 0, update: 1, unchanged: 1, error: 0 });
    expect(commit).toMatchObject({ created: 0, updated: 1, unchanged: 1, intents: 1 });
    const [patch] = intents();
    expect(patch).toMatchObject({ kind: 'offering.patch', method: 'PATCH', path: '/api/offerings/off_1', target_id: 'off_1', base_version: 4 });
    expect(JSON.parse(patch!.body!)).toEqual({ basePriceCents: 12000 });
    expect(JSON.parse(patch!.payload)).toMatchObject({ previous: { basePriceCents: 10000 } });
  });

  it('is all or nothing: a failure inside the transaction leaves the database as it was', async () => {
    const file = csv('f.csv', ['a,A,space,,1,USD,Mon,9:00,10:00,60,1', 'b,B,space,,1,USD,Mon,9:00,10:00,60,1', 'c,C,space,,1,USD,Mon,9:00,10:00,60,1']);
    const analysis = await analyzeImport({ kind: 'file', path: file }, { existing: sink.loadExisting() });
    const before = fingerprint(replica);
    expect(() =>
      commitPlan(analysis.plan, 0, sink, {
        batchId: 'imp_x',
        fileName: 'f.csv',
        afterEach: (slug) => {
          if (slug === 'c') throw new Error('disk full');
        },
      }),
    ).toThrow('disk full');
    expect(fingerprint(replica)).toBe(before);
  });

  it('refuses an analysis with errors, and a stale plan whose slug appeared meanwhile', async () => {
    const bad = csv('bad.csv', ['a,A,space,,x,USD,,,,,']);
    const a1 = await analyzeImport({ kind: 'file', path: bad }, { existing: sink.loadExisting() });
    expect(() => commitImport(a1, sink)).toThrow(ImportRejected);
    const good = csv('good.csv', ['a,A,space,,1,USD,,,,,']);
    const a2 = await analyzeImport({ kind: 'file', path: good }, { existing: sink.loadExisting() });
    seedOffering(replica, { id: 'off_a', slug: 'a', title: 'A' });
    const before = fingerprint(replica);
    expect(() => commitImport(a2, sink)).toThrow(/created since the file was checked/);
    expect(fingerprint(replica)).toBe(before);
  });
});

describe('availability-only changes', () => {
  it('a file that only changes rules of a known offering writes local rules, no intent, and shows in the batch', async () => {
    seedOffering(replica, { id: 'off_9', slug: 'known', title: 'Known' });
    const file = csv('r.csv', ['known,,,,,,Sat,10:00,14:00,120,3']);
    const { commit } = await importCsv({ kind: 'file', path: file }, sink);
    expect(commit).toMatchObject({ created: 0, updated: 1, intents: 0, rules: 1 });
    expect(intents()).toEqual([]);
    const status = batchStatus(replica, commit!.batchId)!;
    expect(status.items).toEqual([{ slug: 'known', line: 0, action: 'update', offeringId: 'off_9', intentId: null, state: 'unchanged', error: null, conflictId: null, localRules: 1 }]);
    // Importing the same file again changes nothing and leaves no batch.
    const again = await importCsv({ kind: 'file', path: file }, sink);
    expect(again.analysis.plan[0]?.action).toBe('unchanged');
    expect(again.commit).toMatchObject({ updated: 0, unchanged: 1, rules: 0 });
    expect(replica.sqlite.prepare('SELECT COUNT(*) AS n FROM import_batches').get()).toEqual({ n: 1 });
  });
});

describe('after the commit: the batch', () => {
  async function commitThree() {
    const file = csv('b.csv', ['one,One,space,,1,USD,Mon,9:00,10:00,60,1', 'two,Two,space,,2,USD,Tue,9:00,10:00,60,1', 'three,Three,space,,3,USD,Wed,9:00,10:00,60,1']);
    const { commit } = await importCsv({ kind: 'file', path: file }, sink);
    return commit!;
  }

  it('pauses on a refusal, then fix-and-resume re-queues the refused intent under a new key', async () => {
    const commit = await commitThree();
    const outbox = new Outbox(replica);
    const [first, second] = intents();
    outbox.complete(first!, 201, { id: 'off_srv1', slug: 'one', title: 'One', version: 1 });
    outbox.conflict(second!, { status: 409, code: 'SLUG_TAKEN', message: 'slug "two" is taken', server: null, local: null });
    expect(pauseRefusedBatches(replica)).toEqual([commit.batchId]);
    const status = batchStatus(replica, commit.batchId)!;
    expect(status.state).toBe('paused');
    expect(status.items.map((i) => [i.slug, i.state, i.offeringId.startsWith('tmp_') ? 'tmp' : i.offeringId])).toEqual([
      ['one', 'sent', 'off_srv1'],
      ['two', 'refused', 'tmp'],
      ['three', 'paused', 'tmp'],
    ]);
    expect(status.items[1]?.error).toBe('SLUG_TAKEN: slug "two" is taken');
    expect(status.items.map((i) => i.localRules)).toEqual([1, 1, 1]);
    expect(outbox.eligible(Date.now(), 10, new Set())).toEqual([]);

    const oldKey = (replica.sqlite.prepare('SELECT idempotency_key AS k FROM outbox WHERE id = ?').get(second!.id) as { k: string }).k;
    expect(resumeBatch(replica, commit.batchId, { two: { slug: 'two-b' } })).toEqual({ retried: 1, released: 1 });
    const fixed = outbox.get(second!.id)!;
    expect(fixed.state).toBe('queued');
    expect(JSON.parse(fixed.body!)).toMatchObject({ slug: 'two-b', title: 'Two' });
    expect((replica.sqlite.prepare('SELECT idempotency_key AS k FROM outbox WHERE id = ?').get(second!.id) as { k: string }).k).not.toBe(oldKey);
    expect(outbox.eligible(Date.now(), 10, new Set()).map((r) => r.id).sort()).toEqual([second!.id, intents()[2]!.id].sort());
    expect(batchStatus(replica, commit.batchId)?.state).toBe('committed');
    expect(pauseBatchOnRefusal(replica, commit.batchId)).toBe(false);
  });

  it('rolls back: unsent intents discarded, refused resolved, already-created offerings deleted, local rules removed', async () => {
    const commit = await commitThree();
    const outbox = new Outbox(replica);
    const [first, second, third] = intents();
    outbox.complete(first!, 201, { id: 'off_srv1', slug: 'one', title: 'One', version: 1 });
    outbox.conflict(second!, { status: 422, code: 'VALIDATION_FAILED', message: 'bad', server: null, local: null });
    const r = rollbackBatch(replica, commit.batchId);
    expect(r).toEqual({ discarded: 2, deletes: 1, reverts: 0, rulesRemoved: 3 });
    expect(outbox.get(second!.id)?.state).toBe('discarded');
    expect(outbox.get(third!.id)?.state).toBe('discarded');
    const del = intents().at(-1)!;
    expect(del).toMatchObject({ kind: 'offering.delete', method: 'DELETE', path: '/api/offerings/off_srv1', target_id: 'off_srv1', state: 'queued' });
    expect(replica.sqlite.prepare('SELECT COUNT(*) AS n FROM conflicts WHERE resolved_at IS NULL').get()).toEqual({ n: 0 });
    expect(batchStatus(replica, commit.batchId)?.state).toBe('rolled_back');
  });

  it('verifies availability against the server and summarises what to enter in the portal', async () => {
    const commit = await commitThree();
    const outbox = new Outbox(replica);
    const [first, second] = intents();
    outbox.complete(first!, 201, { id: 'off_srv1', slug: 'one', title: 'One', version: 1 });
    outbox.complete(second!, 201, { id: 'off_srv2', slug: 'two', title: 'Two', version: 1 });
    const server: Record<string, unknown[]> = {
      off_srv1: [{ id: 'avr_1', offeringId: 'off_srv1', dayOfWeek: 1, startTime: '09:00', endTime: '10:00', slotMinutes: 60, capacity: 1, validFrom: null, validUntil: null }],
      off_srv2: [{ id: 'avr_9', offeringId: 'off_srv2', dayOfWeek: 5, startTime: '09:00', endTime: '10:00', slotMinutes: 60, capacity: 1, validFrom: null, validUntil: null }],
    };
    const checks = await verifyBatchAvailability(replica, commit.batchId, async (id) => (server[id] ?? []) as never);
    expect(checks.map((c) => [c.slug, c.offeringId.startsWith('tmp_') ? 'tmp' : c.offeringId, c.pendingCreate, c.onServer, c.missing.length, c.serverOnly])).toEqual([
      ['one', 'off_srv1', false, 1, 0, 0],
      ['two', 'off_srv2', false, 0, 1, 1],
      ['three', 'tmp', true, 0, 1, 0],
    ]);
    expect(portalSummary(checks)).toBe(
      'two (off_srv2): 1 rule(s) not on the server\n  Tuesday 09:00–10:00, 60-minute slots, capacity 1\n' +
        'three (not created on the server yet): 1 rule(s) not on the server\n  Wednesday 09:00–10:00, 60-minute slots, capacity 1',
    );
  });
});

// (A batch on the sandbox — refusal, fix and resume, availability, rollback — is test/import/batch.test.ts, through the contract.)

describe('ImportService (what the wizard calls)', () => {
  it('check → commit by token, progress reported, expired tokens refused, status and rollback', async () => {
    const { ImportService } = await import('../../src/main/core/import/service.ts');
    let changed = 0;
    const svc = new ImportService(replica, { onChanged: () => changed++ });
    const bytes = new TextEncoder().encode(`${HEAD}\nsvc-a,Svc A,space,,10,USD,Mon,9:00,10:00,60,1\nsvc-b,Svc B,class,,12,USD,,,,,\n`);
    const progress: number[] = [];
    const checked = await svc.check({ bytes, fileName: 'cat.csv' }, (p) => progress.push(p.bytesProcessed));
    expect(checked.view.ok).toBe(true);
    expect(checked.view.preview.counts.offerings.create).toBe(2);
    expect(progress.at(-1)).toBe(bytes.byteLength);
    const out = await svc.commit(checked.token);
    expect(out).toMatchObject({ created: 2, rules: 1, intents: 2 });
    expect(changed).toBe(1);
    await expect(svc.commit(checked.token)).rejects.toThrow(/expired/);
    expect(svc.batches().map((b) => [b.id, b.fileName, b.state])).toEqual([[out.batchId, 'cat.csv', 'committed']]);
    expect(svc.status(out.batchId)?.counts).toMatchObject({ queued: 2 });
    expect(svc.rollback(out.batchId)).toMatchObject({ discarded: 2, rulesRemoved: 1 });
    expect(svc.status(out.batchId)?.counts).toMatchObject({ discarded: 2, queued: 0 });
    const bad = await svc.check({ bytes: new TextEncoder().encode(`${HEAD}\nx,X,space,,oops,USD,,,,,\n`) });
    expect(bad.view.ok).toBe(false);
    await expect(svc.commit(bad.token)).rejects.toThrow(ImportRejected);
  });
});

describe('uuidv7', () => {
  it('is a valid, unique, time-ordered UUID', async () => {
    const { uuidv7 } = await import('../../src/main/core/import/replica-sink.ts');
    const xs = Array.from({ length: 10_000 }, () => uuidv7());
    expect(new Set(xs).size).toBe(xs.length);
    expect([...xs].sort()).toEqual(xs);
    for (const x of xs.slice(0, 100)) expect(x).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(xs[0]!.replace(/-/g, '').slice(0, 12), 16)).toBeGreaterThan(Date.now() - 60_000);
  });
});
