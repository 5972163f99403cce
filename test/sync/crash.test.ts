/**
 * Crash test: the syncing CLI (`orkestr-console sync`) is SIGKILLed at ≥ 200 random points — during
 * start-up, the initial pull, incremental pulls and while it drains the outbox — while `approve`
 * CLIs queue ≥ 50 intents into the same replica. Afterwards one clean `sync --once` must leave:
 * every acknowledged intent on the server exactly once, nothing acknowledged lost, and the replica
 * equal to the server.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFERRABLE_INDEXES } from '../../src/main/core/db/deferred-indexes.ts';
import { cliPath, spawnCli, type CliResult } from '../support/cli.ts';
import type { SandboxFixture } from '../support/sandbox.ts';
import { waitFor } from '../support/wait-for.ts';
import { KEY, sandbox } from './helpers.ts';

/** The same commands without the other commands' modules: cheaper to restart hundreds of times. */
const CHILD = join(import.meta.dirname, 'crash-child.ts');
const KILLS = Number(process.env['CRASH_KILLS'] ?? 200);
const INTENTS = Number(process.env['CRASH_INTENTS'] ?? 60);

let s: SandboxFixture;

beforeAll(async () => {
  s = await sandbox({ seed: { bookings: 2500, offerings: 30 } });
});

afterAll(async () => {
  await s?.dispose();
});

/**
 * Runs crash-child.ts (or the CLI), SIGKILLed when `killAfter` resolves, given a promise of its first
 * line on stdout (its first status: it is past start-up; stderr may carry warnings earlier).
 */
async function cli(args: string[], opts: { killAfter?: (ready: Promise<unknown>) => Promise<void>; script?: string } = {}): Promise<CliResult> {
  const child = spawnCli(args, { script: opts.script ?? CHILD, timeoutMs: 120_000 });
  if (opts.killAfter) {
    const ready = Promise.race([new Promise((resolve) => child.child.stdout!.once('data', resolve)), child.exited]);
    void opts.killAfter(ready).then(() => child.child.kill('SIGKILL'));
  }
  return child.exited;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

it(`acknowledged intents survive ${KILLS} SIGKILLs of the syncing CLI, each reaching the server exactly once`, { timeout: 600_000 }, async () => {
  const started = Date.now();
  const db = join(s.dir, 'replica.db');
  const pendingOnServer = (await s.listAll<{ id: string; status: string }>('/api/bookings?status=PENDING')).map((b) => b.id);
  expect(pendingOnServer.length).toBeGreaterThanOrEqual(INTENTS);
  const targets = pendingOnServer.slice(0, INTENTS);

  const acknowledged: string[] = [];
  let kills = 0;
  let killsBeforeReady = 0;
  let syncExitedByItself = 0;
  let approverDone = false;
  let readyAt = 0;
  let approverAt = 0;

  const replicaReady = (): boolean => {
    try {
      const r = new Database(db, { readonly: true, fileMustExist: true });
      try {
        const row = r.prepare("SELECT complete FROM sync_state WHERE resource = 'bookings'").get() as { complete: number } | undefined;
        return row?.complete === 1;
      } finally {
        r.close();
      }
    } catch {
      return false;
    }
  };

  // The syncing process, killed again and again.
  const killer = (async () => {
    for (let i = 0; i < 5000; i++) {
      if (kills >= KILLS && approverDone) break;
      const beforeReady = Math.random() < 0.15;
      // Lives end within 400 ms of the first status line; until the first full pull is complete, every
      // fourth may last up to 3 s, so that pull advances however slow a loaded machine makes each page
      // (at 400 ms it can stall: it then never completed within 5 min at load ≈ 14).
      const lifeMs = readyAt === 0 && i % 4 === 3 ? 3000 : 400;
      const run = await cli(['sync', '--api', s.url, '--key', KEY, '--db', db, '--poll', '1'], {
        killAfter: async (ready) => {
          if (beforeReady) await sleep(Math.random() * 300);
          else {
            await ready;
            await sleep(Math.random() * lifeMs);
          }
        },
      });
      if (run.signal === 'SIGKILL') {
        kills++;
        if (!run.stdout) killsBeforeReady++;
      } else syncExitedByItself++;
      // Server-side changes now and then, so pulls always have something to do.
      if (i % 25 === 0) await s.adminJson('POST', '/simulate/booking', {});
    }
  })();

  // Front-desk staff approving bookings through the CLI in the meantime.
  const approver = (async () => {
    await waitFor(replicaReady, 'the first complete bookings pull in the replica', 300_000, 100);
    readyAt = Date.now() - started;
    // Three desks at once (they share the replica with the syncing process).
    const queue = [...targets];
    await Promise.all(
      [0, 1, 2].map(async () => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
          const run = await cli(['approve', id, '--db', db]);
          if (run.code === 0) acknowledged.push(run.stdout.trim());
          else throw new Error(`approve ${id} failed (${run.code}): ${run.stderr}`);
        }
      }),
    );
    approverDone = true;
    approverAt = Date.now() - started;
  })();

  await Promise.all([killer, approver]);
  expect(kills).toBeGreaterThanOrEqual(KILLS);
  expect(syncExitedByItself).toBe(0);
  expect(acknowledged).toHaveLength(INTENTS);
  for (const id of acknowledged) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

  // One clean pass.
  const final = await cli(['sync', '--once', '--api', s.url, '--key', KEY, '--db', db], { script: cliPath });
  expect(final.code, final.stderr + final.stdout).toBe(0);

  const replica = new Database(db, { readonly: true });
  try {
    // Nothing acknowledged is lost, every intent is done.
    const rows = replica.prepare('SELECT id, idempotency_key, state, target_id FROM outbox').all() as Array<{ id: string; idempotency_key: string; state: string; target_id: string }>;
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const id of acknowledged) expect(byId.get(id)?.state, `intent ${id}`).toBe('done');
    // Exactly once on the server.
    const effects = await s.effects();
    const perKey = new Map<string, number>();
    for (const e of effects) perKey.set(e.idempotencyKey, (perKey.get(e.idempotencyKey) ?? 0) + 1);
    for (const id of acknowledged) expect(perKey.get(byId.get(id)!.idempotency_key), `effects of ${id}`).toBe(1);
    for (const id of targets) expect(effects.filter((e) => e.targetId === id)).toHaveLength(1);

    // The replica equals the server.
    const server = await s.listAll<{ id: string; status: string; version: number }>('/api/bookings');
    const local = replica.prepare('SELECT id, status, version FROM bookings ORDER BY id').all() as Array<{ id: string; status: string; version: number }>;
    expect(local).toEqual(server.map((b) => ({ id: b.id, status: b.status, version: b.version })).sort((a, b) => (a.id < b.id ? -1 : 1)));
    const offerings = await s.listAll<{ id: string; version: number }>('/api/offerings?status=ALL&includeDeleted=true');
    expect(replica.prepare('SELECT id, version FROM offerings ORDER BY id').all()).toEqual(offerings.map((o) => ({ id: o.id, version: o.version })).sort((a, b) => (a.id < b.id ? -1 : 1)));
    for (const id of targets) expect((replica.prepare('SELECT status FROM bookings WHERE id = ?').get(id) as { status: string }).status).toBe('CONFIRMED');
    expect(replica.prepare('SELECT COUNT(*) AS n FROM booking_overlay').get()).toEqual({ n: 0 });
    // Indexes the initial load deferred were all built, whichever kill interrupted it (db/deferred-indexes.ts).
    expect(replica.prepare("SELECT key FROM meta WHERE key LIKE 'deferredIndex:%'").all()).toEqual([]);
    const indexes = (replica.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string }>).map((r) => r.name);
    for (const name of DEFERRABLE_INDEXES) expect(indexes, name).toContain(name);
    // So was the full-text index the load left out (db/search-index.ts): complete, one entry a booking.
    expect(replica.prepare("SELECT value FROM meta WHERE key = 'searchIndex.through'").get()).toBeUndefined();
    expect(replica.prepare('SELECT count(*) AS n FROM bookings_fts_docsize').get()).toEqual(replica.prepare('SELECT count(*) AS n FROM bookings').get());
  } finally {
    replica.close();
  }
  console.log(`crash test: ${kills} kills (${killsBeforeReady} before the first status line), ${acknowledged.length} intents, replica ready at ${readyAt} ms, approvals done at ${approverAt} ms, total ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
