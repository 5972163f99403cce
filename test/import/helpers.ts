import type Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Replica } from '../../src/main/core/replica/replica.ts';
import { ReplicaImportSink } from '../../src/main/core/import/replica-sink.ts';

export const corpus = (name: string): string => join(import.meta.dirname, 'corpus', name);

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'orkestr-import-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function openReplica(dir: string, name = 'replica.db'): { replica: Replica; sink: ReplicaImportSink; file: string } {
  const file = join(dir, name);
  const replica = Replica.open(file);
  return { replica, sink: new ReplicaImportSink(replica), file };
}

/** Everything the importer could write, as one comparable string. */
export function fingerprint(replica: Replica): string {
  return fingerprintDb(replica.sqlite);
}

/** The same, read from a replica file's own connection (a test of a process that wrote it). */
export function fingerprintDb(db: Database.Database): string {
  const tables = ['offerings', 'availability_rules', 'outbox', 'conflicts', 'id_map', 'import_batches', 'import_rules'];
  const out: Record<string, unknown> = {};
  for (const t of tables) {
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(t);
    out[t] = exists ? db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all() : null;
  }
  return JSON.stringify(out);
}

/** A server offering as the sync would store it. */
export function seedOffering(replica: Replica, o: { id: string; slug: string; title: string; basePriceCents?: number; version?: number }): void {
  replica.applyRemoteOffering({
    id: o.id,
    slug: o.slug,
    title: o.title,
    description: '',
    status: 'PUBLISHED',
    productTypeKey: 'space',
    categories: [],
    basePriceCents: o.basePriceCents ?? 10000,
    currency: 'USD',
    taxRateBps: 0,
    pricingModel: 'HOURLY',
    cancellationPolicy: 'MODERATE',
    version: o.version ?? 1,
  });
}
