// Memory bounded by the window, not the tenant: the replica's prepared-statement cache keeps the most
// recently used texts only, however many distinct texts the core builds (IN lists per length, filters).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCore } from '../support/core.ts';

const dir = mkdtempSync(join(tmpdir(), 'stmt-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('statement cache', () => {
  it('stays bounded under many distinct statement texts and keeps answering', async () => {
    const c = openCore({ dbFile: join(dir, 'replica.db'), transport: 'bridge', appVersion: 'test' });
    try {
      const replica = c.core.replica;
      for (let n = 1; n <= 2_000; n++) {
        const marks = Array.from({ length: n % 700 || 1 }, () => '?').join(',');
        replica.stmt(`SELECT count(*) AS n FROM bookings WHERE id IN (${marks}) AND ${n} > 0`);
      }
      expect(replica.cachedStatements).toBeLessThanOrEqual(256);
      expect(replica.cachedStatements).toBeGreaterThan(100);
      // The core's own statements still work after being pushed out.
      expect((await c.call('sync.status', {})).outboxLength).toBe(0);
      expect(await c.call('bookings.list', { offset: 0, limit: 10 })).toMatchObject({ total: 0 });
    } finally {
      await c.core.close();
    }
  });
});
