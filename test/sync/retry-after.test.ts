/**
 * `Retry-After` obeyed in behaviour: a recording proxy in front of the real sandbox notes when every
 * request arrives, and answers one chosen request itself with 429 or 503 and a Retry-After (in seconds
 * or as an HTTP date, which the sandbox never sends). No request of the console may reach the server
 * before the time it was given — not the refused one's retry, and not any other (the budget is shared).
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openCore, storedIntent, type TestCore } from '../support/core.ts';
import { startRecordingProxy, type RecordedRequest, type RecordingProxy } from '../support/recording-proxy.ts';
import { startTestSandbox, TEST_KEY, type SandboxFixture } from '../support/sandbox.ts';
import { waitFor } from '../support/wait-for.ts';

let s: SandboxFixture;
let proxy: RecordingProxy;
const cores: TestCore[] = [];
let n = 0;

beforeAll(async () => {
  s = await startTestSandbox({ seed: { bookings: 40, offerings: 3 } });
  proxy = await startRecordingProxy(s.url);
});
afterEach(async () => {
  for (const c of cores.splice(0)) await c.core.close();
});
afterAll(async () => {
  await proxy?.close();
  await s?.dispose();
});

function open(): TestCore {
  const c = openCore({ dbFile: join(s.dir, `replica-${++n}.db`), api: { url: proxy.url, key: TEST_KEY }, transport: 'bridge', appVersion: 'test', holdMs: 0, retryCapMs: 2000, pollIntervalMs: 200 });
  cores.push(c);
  return c;
}

const refusal = (status: number, retryAfter: string) => ({
  status,
  headers: { 'retry-after': retryAfter },
  body: { error: { code: status === 429 ? 'RATE_LIMITED' : 'UNAVAILABLE', message: 'injected by the test' } },
});

/** The injected answer and every request that arrived after it. */
function afterInjected(since: number, status: number): { refused: RecordedRequest; later: RecordedRequest[] } {
  const mine = proxy.requests.slice(since);
  const at = mine.findIndex((r) => r.injected === status);
  expect(at, `an injected ${status} among ${JSON.stringify(mine)}`).toBeGreaterThanOrEqual(0);
  return { refused: mine[at]!, later: mine.slice(at + 1) };
}

/** Pushes one approval through a refusal; resolves with the intent's id once it is done. */
async function approveThrough(c: TestCore, status: number, retryAfter: string): Promise<{ since: number; intentId: string; id: string }> {
  expect(await c.core.runOnce(30_000)).toMatchObject({ pulled: true });
  const target = (await c.call('queue.window', { limit: 1000 })).items[0]!;
  proxy.inject({ method: 'POST', path: new RegExp(`/bookings/${target.id}/approve$`) }, refusal(status, retryAfter));
  const since = proxy.requests.length;
  const { intentId } = await c.call('bookings.approve', { id: target.id });
  const r = await c.core.runOnce(30_000);
  expect(r).toMatchObject({ pushed: true, sent: 1, conflicts: 0 });
  return { since, intentId: intentId!, id: target.id };
}

describe('Retry-After', () => {
  it('429 with Retry-After in seconds: nothing reaches the server before it has passed, then the intent lands once', async () => {
    const c = open();
    const { since, intentId, id } = await approveThrough(c, 429, '2');
    const { refused, later } = afterInjected(since, 429);
    expect(later.length).toBeGreaterThan(0);
    expect(later.map((r) => r.at - refused.at).filter((ms) => ms < 2000)).toEqual([]);
    expect(later.some((r) => r.method === 'POST' && r.path.endsWith(`/bookings/${id}/approve`))).toBe(true);
    const key = storedIntent(c.dbFile, intentId).idempotency_key;
    expect((await s.effects()).filter((e) => e.idempotencyKey === key)).toHaveLength(1);
    expect((await s.getJson<{ status: string }>(`/api/bookings/${id}`)).status).toBe('CONFIRMED');
  });

  it('503 with Retry-After: the same wait, although a 503 alone would be retried at once', async () => {
    const c = open();
    const { since, id } = await approveThrough(c, 503, '2');
    const { refused, later } = afterInjected(since, 503);
    expect(later.length).toBeGreaterThan(0);
    expect(later.map((r) => r.at - refused.at).filter((ms) => ms < 2000)).toEqual([]);
    expect((await s.getJson<{ status: string }>(`/api/bookings/${id}`)).status).toBe('CONFIRMED');
  });

  it('Retry-After as an HTTP date, on the running engine\'s pull: no request before that date', async () => {
    const c = open();
    // An HTTP date has whole seconds: at least 2 s from now.
    const until = Math.ceil((Date.now() + 2000) / 1000) * 1000;
    proxy.inject({ method: 'GET', path: /\/v1\/api\/me$/ }, () => refusal(429, new Date(until).toUTCString()));
    const since = proxy.requests.length;
    c.core.start();
    await waitFor(async () => (await c.call('sync.status')).lastSyncAt, 'the first sync after the refusal');
    const { refused, later } = afterInjected(since, 429);
    expect(refused.at).toBeLessThan(until);
    expect(later.length).toBeGreaterThan(0);
    expect(later.filter((r) => r.at < until)).toEqual([]);
  });
});
