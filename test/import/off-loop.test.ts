/**
 * Issue #16: `import.commit` of a big file runs in steps with the loop's turn between them (staged.ts),
 * so contract calls made while it writes are answered before it ends, and its progress events
 * arrive as it advances. (Before, the commit was one synchronous transaction: every call made
 * meanwhile waited for it, and its progress events all came at its end.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCore, type TestCore } from '../support/core.ts';
import { generateCatalogue } from './generate.ts';
import { tempDir } from './helpers.ts';

const { dir, cleanup } = tempDir();
let c: TestCore;
let contentBase64: string;

beforeAll(async () => {
  const file = join(dir, 'catalogue.csv');
  await generateCatalogue(file, { offerings: 4_000, rulesPerOffering: 1 });
  contentBase64 = readFileSync(file).toString('base64');
  c = openCore({ dbFile: join(dir, 'replica.db'), transport: 'bridge', appVersion: 'test', holdMs: 0 });
});

afterAll(async () => {
  await c.core.close();
  cleanup();
});

describe('import.commit off the engine loop', () => {
  it('answers calls made while a 4,000-offering commit writes before the commit itself, with progress as it goes', { timeout: 120_000 }, async () => {
    const checked = await c.call('import.check', { fileName: 'catalogue.csv', contentBase64 });
    expect(checked.view.ok).toBe(true);
    const order: string[] = [];
    const progress = (): number => c.eventsOf('import.progress').filter((e) => e.token === checked.token && e.phase === 'commit').length;
    const committing = c.call('import.commit', { token: checked.token }).then((r) => {
      order.push('commit');
      return r;
    });
    // Five calls, each made on a later turn of the loop than the commit; each notes how many commit
    // progress events had arrived by its answer.
    const seenByCalls: number[] = [];
    const calls = [1, 2, 3, 4, 5].map(
      (k) =>
        new Promise<void>((resolve) => setImmediate(resolve))
          .then(() => c.call('import.batches', {}))
          .then(() => {
            order.push(`batches ${k}`);
            seenByCalls.push(progress());
          }),
    );
    const [result] = await Promise.all([committing, ...calls]);
    expect(result.created).toBe(4_000);
    expect(order.indexOf('commit')).toBe(order.length - 1);
    // Progress went out while the commit ran, and reached 100 % by its end.
    const events = c.eventsOf('import.progress').filter((e) => e.token === checked.token && e.phase === 'commit');
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.at(-1)?.bytesProcessed).toBe(events.at(-1)?.bytesTotal);
    expect(Math.max(...seenByCalls)).toBeLessThan(events.length);
    // And the batch is all there.
    const status = await c.call('import.status', { batchId: result.batchId });
    expect(status?.counts.queued).toBe(4_000);
  });
});

describe('import.check’s upload', () => {
  // The base64 is decoded a piece at a time (handlers.ts writeUpload): pieces must stay whole quads,
  // also when the encoder broke its lines (MIME style, every 76 characters) or padded with spaces.
  it('decodes a file of several pieces the same with and without line breaks in its base64', { timeout: 120_000 }, async () => {
    const file = join(dir, 'big.csv');
    await generateCatalogue(file, { offerings: 20_000, rulesPerOffering: 1 });
    const plain = readFileSync(file).toString('base64');
    expect(plain.length).toBeGreaterThan(2 * (1 << 20));
    const wrapped = ` ${plain.replace(/.{76}/g, '$&\r\n')} `;
    const a = await c.call('import.check', { fileName: 'big.csv', contentBase64: plain });
    const b = await c.call('import.check', { fileName: 'big.csv', contentBase64: wrapped });
    expect(a.view.ok).toBe(true);
    expect({ ...b.view }).toEqual({ ...a.view });
  });
});
