import { describe, expect, it } from 'vitest';
import { ContractError } from '../../shared/contract/types.ts';
import type { SocketLike } from './api.ts';
import { createBridgeApi, getTransportState, onTransportState, TransportError, toContractError } from './api.ts';

function harness(answers: Array<{ status: number; body: unknown } | Error>) {
  const requests: Array<{ url: string; init: { method: string; headers: Record<string, string>; body: string } }> = [];
  const sockets: Array<SocketLike & { url: string }> = [];
  const timers: Array<() => void> = [];
  let forgotten = 0;
  const api = createBridgeApi('tok en', {
    fetch: async (url, init) => {
      requests.push({ url, init });
      const a = answers.shift();
      if (!a) throw new Error('no answer queued');
      if (a instanceof Error) throw a;
      return { status: a.status, ok: a.status >= 200 && a.status < 300, json: async () => a.body };
    },
    openSocket: (url) => {
      const s = { url, onopen: null, onmessage: null, onclose: null } as SocketLike & { url: string };
      sockets.push(s);
      return s;
    },
    location: { protocol: 'http:', host: '127.0.0.1:4321' },
    setTimeout: (fn) => void timers.push(fn),
    forgetToken: () => void forgotten++,
  });
  return { api, requests, sockets, timers, forgotten: () => forgotten };
}

describe('bridge transport', () => {
  it('posts {method, input} with the bearer token and returns the result', async () => {
    const h = harness([{ status: 200, body: { ok: true, result: { started: true } } }]);
    await expect(h.api.call('sync.now', {})).resolves.toEqual({ started: true });
    expect(h.requests[0]?.url).toBe('/api/call');
    expect(h.requests[0]?.init.method).toBe('POST');
    expect(h.requests[0]?.init.headers).toEqual({ 'Content-Type': 'application/json', Authorization: 'Bearer tok en' });
    expect(JSON.parse(h.requests[0]?.init.body ?? '')).toEqual({ method: 'sync.now', input: {} });
    expect(h.sockets[0]?.url).toBe('ws://127.0.0.1:4321/api/events?token=tok%20en');
  });

  it('throws ContractError from an error body, TransportError when the core is unreachable', async () => {
    const h = harness([{ status: 400, body: { ok: false, error: { code: 'BAD_INPUT', message: 'nope', fields: [{ path: 'id', message: 'required' }] } } }, new TypeError('Failed to fetch'), { status: 200, body: { ok: true, result: [] } }]);
    const err = await h.api.call('bookings.get', { id: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContractError);
    expect((err as ContractError).code).toBe('BAD_INPUT');
    expect((err as ContractError).fields).toEqual([{ path: 'id', message: 'required' }]);
    const states: string[] = [];
    const off = onTransportState((s) => states.push(s));
    await expect(h.api.call('intents.list', {})).rejects.toBeInstanceOf(TransportError);
    expect(getTransportState()).toBe('lost');
    await h.api.call('intents.list', {});
    expect(states).toEqual(['lost', 'ok']);
    off();
  });

  it('delivers events and, after a reconnect, asks every screen to refetch', () => {
    const h = harness([]);
    const seen: unknown[] = [];
    h.api.on('data.changed', (p) => seen.push(p));
    h.api.on('queue.new', (p) => seen.push(p));
    const first = h.sockets[0]!;
    first.onopen?.({});
    first.onmessage?.({ data: JSON.stringify({ event: 'queue.new', payload: { count: 2, bookingIds: ['a', 'b'] } }) });
    first.onmessage?.({ data: 'not json' });
    expect(seen).toEqual([{ count: 2, bookingIds: ['a', 'b'] }]);
    first.onclose?.({});
    expect(getTransportState()).toBe('lost');
    expect(h.timers).toHaveLength(1);
    h.timers[0]!();
    h.sockets[1]!.onopen?.({});
    expect(getTransportState()).toBe('ok');
    // Every table data.changed can name, calendar feeds and rules included: the screens cannot know what they missed.
    expect(seen[1]).toEqual({ tables: ['bookings', 'offerings', 'coupons', 'availability', 'disputes', 'activity', 'intents', 'conflicts', 'feeds', 'rules'] });
  });

  it('forgets a refused token', async () => {
    const h = harness([{ status: 401, body: { ok: false, error: { code: 'BAD_INPUT', message: 'Missing or wrong bridge token' } } }]);
    await expect(h.api.call('session.info', {})).rejects.toBeInstanceOf(ContractError);
    expect(h.forgotten()).toBe(1);
    expect(getTransportState()).toBe('refused');
  });
});

describe('toContractError', () => {
  it('restores the code of an error that crossed contextBridge', () => {
    const e = toContractError(Object.assign(new Error('gone'), { code: 'NOT_FOUND' }));
    expect(e).toBeInstanceOf(ContractError);
    expect(e.code).toBe('NOT_FOUND');
    expect(toContractError(new Error('boom')).code).toBe('INTERNAL');
  });
});
