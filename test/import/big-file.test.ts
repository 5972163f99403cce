/**
 * A generated 50 MB catalogue (written to a temp dir at test time, never committed): streamed with
 * progress reported, the two errors at its very end found on the right lines, and nothing written to
 * the replica. Its memory is a figure of `npm run bench -- import`.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCsv, type ImportProgress } from '../../src/main/core/import/index.ts';
import type { ReplicaImportSink } from '../../src/main/core/import/replica-sink.ts';
import type { Replica } from '../../src/main/core/replica/replica.ts';
import { generateCatalogue, type Generated } from './generate.ts';
import { fingerprint, openReplica, tempDir } from './helpers.ts';

const MB = 1024 * 1024;
let t: ReturnType<typeof tempDir>;
let replica: Replica;
let sink: ReplicaImportSink;
let file: string;
let gen: Generated;

beforeAll(async () => {
  t = tempDir();
  ({ replica, sink } = openReplica(t.dir));
  file = join(t.dir, 'big.csv');
  gen = await generateCatalogue(file, { targetBytes: 50 * MB, rulesPerOffering: 7, descriptionBytes: 300, tailErrors: true, crlf: true });
}, 120_000);

afterAll(() => {
  replica.close();
  t.cleanup();
});

describe('50 MB file', () => {
  it('is parsed streamed with progress, errors found at the end, nothing written', async () => {
    const size = statSync(file).size;
    expect(size).toBeGreaterThanOrEqual(50 * MB);
    const before = fingerprint(replica);
    const progress: ImportProgress[] = [];
    // (How much memory this takes is a figure: `npm run bench -- import` prints the peak heap beside its target.)
    const { analysis, commit } = await importCsv({ kind: 'file', path: file }, sink, { onProgress: (p) => progress.push(p) });

    // Progress: many updates, monotonic, ending at the total.
    expect(progress.length).toBeGreaterThan(100);
    expect(progress.every((p) => p.bytesTotal === size && p.phase === 'parse')).toBe(true);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.bytesProcessed).toBeGreaterThanOrEqual(progress[i - 1]!.bytesProcessed);
    expect(progress.at(-1)?.bytesProcessed).toBe(size);

    // The right errors, on the physical lines (the file has quoted line breaks and CRLF).
    expect(analysis.view.rows).toBe(gen.rows);
    const errs = analysis.view.issues.filter((i) => i.severity === 'error').map((i) => i.message);
    expect(errs).toEqual([
      `line ${gen.badPriceLine}, column "base_price" (F): "12,5,0" is not a price`,
      `line ${gen.orphanLine}, column "slug" (A): availability for "ghost-room", but no row of the file gives this offering's fields and the console has no offering with this slug`,
    ]);
    expect(analysis.view.preview.counts.offerings).toMatchObject({ create: gen.offerings, error: 2 });
    // Every row carries a rule: 7 per offering plus the two hostile tail rows.
    expect(analysis.view.preview.counts.rules).toBe(gen.offerings * 7 + 2);

    // No partial write.
    expect(commit).toBeNull();
    expect(fingerprint(replica)).toBe(before);
  }, 300_000);
});
