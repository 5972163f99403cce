/**
 * Rate limits (per-key token bucket, X-RateLimit-* headers, 429 with Retry-After) and fault
 * injection through /_sandbox/faults (errorRate, dropRate, latencyMs, DELETE restores).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectOk, KEYS, startHarness } from './harness.ts';
import { waitFor } from '../support/wait-for.ts';
import type { Harness, Json } from './harness.ts';

let limited: Harness;
let h: Harness;

beforeAll(async () => {
  [limited, h] = await Promise.all([startHarness({ seed: 'none', rateLimitPerMinute: 5 }), startHarness({ seed: 'none' })]);
});
afterAll(async () => {
  await Promise.all([limited?.dispose(), h?.dispose()]);
});

describe('rate limit', () => {
  it('answers 429 RATE_LIMITED with Retry-After on the 6th quick request of a 5/min key', async () => {
    const remaining: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await limited.api('GET', '/v1/api/me', { key: KEYS.atlasRw });
      expectOk(res);
      expect(res.headers.get('x-ratelimit-limit')).toBe('5');
      const rem = Number(res.headers.get('x-ratelimit-remaining'));
      expect(Number.isInteger(rem)).toBe(true);
      remaining.push(rem);
    }
    // Remaining goes down (refill is continuous but slow: 1 token per 12 s).
    expect(remaining[4]!).toBeLessThan(remaining[0]!);
    expect(remaining[4]!).toBeLessThanOrEqual(1);
    const res = await limited.api('GET', '/v1/api/me', { key: KEYS.atlasRw });
    expectError(res, 429, 'RATE_LIMITED');
    const retryAfter = res.headers.get('retry-after');
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    // One token comes back every 12 s at 5/min.
    expect(Number(retryAfter)).toBeLessThanOrEqual(12);
    expect(res.headers.get('x-ratelimit-limit')).toBe('5');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    // Writes are limited as well, and a limited write changes nothing.
    const w = await limited.api('POST', '/v1/api/coupons', { key: KEYS.atlasRw, body: { code: 'LIMITED', kind: 'PERCENT', amount: 5 } });
    expectError(w, 429, 'RATE_LIMITED');
    const list = expectOk(await limited.api('GET', '/v1/api/coupons', { key: KEYS.atlasRw2 }));
    expect((list.data as Json[]).length).toBe(0);
  });

  it('limits per key: another key of the same tenant still works', async () => {
    const res = await limited.api('GET', '/v1/api/me', { key: KEYS.harborRw });
    expectOk(res);
    expect(res.headers.get('x-ratelimit-limit')).toBe('5');
    const again = await limited.api('GET', '/v1/api/me', { key: KEYS.atlasAdmin });
    expectOk(again);
  });

  it('defaults to 1,000 per minute and puts the headers on error answers too', async () => {
    const res = await h.api('GET', '/v1/api/me');
    expect(res.headers.get('x-ratelimit-limit')).toBe('1000');
    expect(Number(res.headers.get('x-ratelimit-remaining'))).toBeGreaterThan(900);
    const err = await h.api('GET', '/v1/api/offerings/off_missing');
    expect(err.status).toBe(404);
    expect(err.headers.get('x-ratelimit-limit')).toBe('1000');
    expect(err.headers.get('x-ratelimit-remaining')).toMatch(/^\d+$/);
    const forbidden = await h.api('POST', '/v1/api/coupons', { key: KEYS.atlasRo, body: { code: 'RO1', kind: 'PERCENT', amount: 1 } });
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('x-ratelimit-limit')).toBe('1000');
    const invalid = await h.api('POST', '/v1/api/coupons', { body: { code: 'x' } });
    expect(invalid.status).toBe(422);
    expect(invalid.headers.get('x-ratelimit-limit')).toBe('1000');
    const tooBig = await h.api('POST', '/v1/api/coupons', { body: JSON.stringify({ code: 'BIG', pad: 'x'.repeat(1024 * 1024 + 1) }) });
    expect(tooBig.status).toBe(413);
    expect(tooBig.headers.get('x-ratelimit-limit')).toBe('1000');
  });

  it('refills the bucket continuously', async () => {
    expect((await h.admin('PUT', '/_sandbox/faults', { rateLimitPerMinute: 60 })).status).toBeLessThan(300);
    try {
      let limitedRes = null;
      for (let i = 0; i < 70 && !limitedRes; i++) {
        const res = await h.api('GET', '/v1/api/me', { key: KEYS.atlasRw2 });
        if (res.status === 429) limitedRes = res;
      }
      expect(limitedRes, 'the bucket of 60 runs dry').not.toBeNull();
      expect(Number(limitedRes!.headers.get('retry-after'))).toBe(1);
      // One token per second comes back: a bounded poll sees a 200 again.
      await waitFor(async () => (await h.api('GET', '/v1/api/me', { key: KEYS.atlasRw2 })).status === 200, 'a refilled token', 5000, 250);
    } finally {
      expect((await h.admin('DELETE', '/_sandbox/faults')).status).toBeLessThan(300);
    }
  });

  it('can be changed through /_sandbox/faults', async () => {
    expect((await h.admin('PUT', '/_sandbox/faults', { rateLimitPerMinute: 2 })).status).toBeLessThan(300);
    try {
      // A bucket of 2 (this key has not been used): two answers, then a 429 that says when to come back.
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await h.api('GET', '/v1/api/me', { key: KEYS.harborRo }));
      expect(answers.map((a) => [a.status, a.headers.get('x-ratelimit-limit')])).toEqual([
        [200, '2'],
        [200, '2'],
        [429, '2'],
      ]);
      expect(Number(answers[2]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    } finally {
      expect((await h.admin('DELETE', '/_sandbox/faults')).status).toBeLessThan(300);
    }
  });
});

describe('fault injection', () => {
  it('errorRate 1 → 503 INTERNAL on /v1 and no effect; DELETE restores', async () => {
    expect((await h.admin('PUT', '/_sandbox/faults', { errorRate: 1 })).status).toBeLessThan(300);
    try {
      const e = await h.api('GET', '/v1/api/me');
      expectError(e, 503, 'INTERNAL');
      // Every answer carries the rate-limit headers, injected faults included.
      expect(e.headers.get('x-ratelimit-limit')).toBe('1000');
      expect(e.headers.get('x-ratelimit-remaining')).toMatch(/^\d+$/);
      expectError(await h.api('POST', '/v1/api/coupons', { body: { code: 'FAULTY', kind: 'PERCENT', amount: 5 } }), 503, 'INTERNAL');
      // The control surface is not subject to faults.
      expect((await h.admin('GET', '/_sandbox/state')).status).toBe(200);
    } finally {
      expect((await h.admin('DELETE', '/_sandbox/faults')).status).toBeLessThan(300);
    }
    expectOk(await h.api('GET', '/v1/api/me'));
    const list = expectOk(await h.api('GET', '/v1/api/coupons'));
    expect((list.data as Json[]).map((c) => c.code)).not.toContain('FAULTY');
  });

  it('dropRate 1 → the socket closes without an HTTP answer; DELETE restores', async () => {
    expect((await h.admin('PUT', '/_sandbox/faults', { dropRate: 1 })).status).toBeLessThan(300);
    try {
      await expect(h.api('GET', '/v1/api/me')).rejects.toThrow();
      await expect(h.api('POST', '/v1/api/coupons', { body: { code: 'DROPPED', kind: 'PERCENT', amount: 5 } })).rejects.toThrow();
    } finally {
      expect((await h.admin('DELETE', '/_sandbox/faults')).status).toBeLessThan(300);
    }
    expectOk(await h.api('GET', '/v1/api/me'));
  });

  it('latencyMs delays every answer by at least that long, and still answers', async () => {
    const latencyMs = 250;
    /** Median time of three GET /me, each answered. */
    const timed = async (): Promise<number> => {
      const ms: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        expectOk(await h.api('GET', '/v1/api/me'));
        ms.push(performance.now() - t0);
      }
      return ms.sort((x, y) => x - y)[1]!;
    };
    const plain = await timed();
    expect((await h.admin('PUT', '/_sandbox/faults', { latencyMs })).status).toBeLessThan(300);
    let delayed: number;
    try {
      delayed = await timed();
      expectOk(await h.api('GET', '/v1/api/coupons'));
    } finally {
      expect((await h.admin('DELETE', '/_sandbox/faults')).status).toBeLessThan(300);
    }
    // The server waits latencyMs before answering, so no answer can come sooner, however fast the
    // machine; and the delayed requests are slower than the same requests without the fault.
    expect(delayed).toBeGreaterThanOrEqual(latencyMs - 1);
    expect(delayed).toBeGreaterThan(plain);
  });

  it('rejects invalid fault settings', async () => {
    const res = await h.admin('PUT', '/_sandbox/faults', { errorRate: 2 });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expectOk(await h.api('GET', '/v1/api/me'));
  });

  it('a revoked key gets 401 afterwards', async () => {
    const created = await h.admin('POST', '/_sandbox/keys', { tenant: 'atlas' });
    expect(created.status).toBeLessThan(300);
    expectOk(await h.api('GET', '/v1/api/me', { key: created.body.token }));
    expect((await h.admin('POST', `/_sandbox/keys/${created.body.keyId}/revoke`)).status).toBeLessThan(300);
    expectError(await h.api('GET', '/v1/api/me', { key: created.body.token }), 401, 'UNAUTHORIZED');
  });
});
