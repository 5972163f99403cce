/**
 * The device stream client hands frames that arrive together to `onEvents` as ONE batch: the relay
 * sends what one group commit stored in one go, and the console applies a batch in one transaction,
 * so a burst of k webhooks costs one commit instead of two (the first frame alone, then the rest).
 * A real WebSocket server on loopback plays the relay and writes its frames in one turn of its loop.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { connectRelayStream, type RelayEvent, type RelayStream } from '../../src/relay/protocol/client.ts';
import type { ServerFrame } from '../../src/relay/protocol/frames.ts';
import { waitFor } from '../support/wait-for.ts';

const channelId = 'ch_batching0123456789';
let wss: WebSocketServer | null = null;
let stream: RelayStream | null = null;

afterEach(async () => {
  await stream?.close();
  stream = null;
  for (const c of wss?.clients ?? []) c.terminate();
  await new Promise<void>((resolve) => (wss ? wss.close(() => resolve()) : resolve()));
  wss = null;
});

function event(seq: number): ServerFrame {
  return { type: 'event', seq, deliveryId: `dlv_${seq}`, headers: {}, body: Buffer.from(`{"n":${seq}}`).toString('base64'), receivedAt: new Date(0).toISOString() };
}

describe('relay stream client batching', () => {
  it('hands frames that arrive together to onEvents as one batch, in order, then acks their last seq', async () => {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(wss, 'listening');
    const acks: number[] = [];
    const connected = new Promise<WebSocket>((resolve) =>
      wss!.on('connection', (ws) => {
        ws.on('message', (data: Buffer) => acks.push((JSON.parse(data.toString('utf8')) as { seq: number }).seq));
        resolve(ws);
      }),
    );
    const batches: number[][] = [];
    stream = connectRelayStream({
      url: `http://127.0.0.1:${(wss.address() as AddressInfo).port}`,
      channelId,
      deviceToken: 'token',
      onEvent: () => {
        throw new Error('onEvents is given: onEvent must not be called');
      },
      onEvents: (events: RelayEvent[]) => {
        batches.push(events.map((e) => e.seq));
      },
    });
    const ws = await connected;
    ws.send(JSON.stringify({ type: 'hello', channelId, deviceId: 'dev_batching01', cursor: 0, lastSeq: 0, heartbeatMs: 60_000 } satisfies ServerFrame));
    // One turn of the relay's loop, as after a group commit of five ingests.
    for (let seq = 1; seq <= 5; seq++) ws.send(JSON.stringify(event(seq)));
    await waitFor(() => acks.includes(5), 'the ack of seq 5');
    expect(batches).toEqual([[1, 2, 3, 4, 5]]);
    expect(stream.cursor()).toBe(5);
  });

  it('acks events handled one at a time at most once per ack interval, and what is pending on close', async () => {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(wss, 'listening');
    const acks: number[] = [];
    const connected = new Promise<WebSocket>((resolve) =>
      wss!.on('connection', (ws) => {
        ws.on('message', (data: Buffer) => acks.push((JSON.parse(data.toString('utf8')) as { seq: number }).seq));
        resolve(ws);
      }),
    );
    let handled: (seq: number) => void = () => {};
    const connect = (ackDelayMs?: number): RelayStream =>
      connectRelayStream({
        url: `http://127.0.0.1:${(wss!.address() as AddressInfo).port}`,
        channelId,
        deviceToken: 'token',
        ...(ackDelayMs !== undefined ? { ackDelayMs } : {}),
        onEvent: () => {},
        onEvents: (events: RelayEvent[]) => handled(events.at(-1)!.seq),
      });
    // An interval longer than the test: after the first ack, only close() can send the next.
    stream = connect(3_600_000);
    const ws = await connected;
    ws.send(JSON.stringify({ type: 'hello', channelId, deviceId: 'dev_batching01', cursor: 0, lastSeq: 0, heartbeatMs: 60_000 } satisfies ServerFrame));
    // Each event sent once the one before was handled: five drains, as webhooks arriving 2 ms apart.
    for (let seq = 1; seq <= 5; seq++) {
      const done = new Promise<number>((resolve) => (handled = resolve));
      ws.send(JSON.stringify(event(seq)));
      expect(await done).toBe(seq);
    }
    // The first at once (nothing acked lately); 2–5 wait for the interval, so close() sends them.
    await waitFor(() => acks.length > 0, 'the first ack');
    expect(acks).toEqual([1]);
    const closed = once(ws, 'close');
    await stream.close();
    stream = null;
    await closed;
    expect(acks).toEqual([1, 5]);
  });

  it('acks a lone event by itself', async () => {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(wss, 'listening');
    const acks: number[] = [];
    const connected = new Promise<WebSocket>((resolve) =>
      wss!.on('connection', (ws) => {
        ws.on('message', (data: Buffer) => acks.push((JSON.parse(data.toString('utf8')) as { seq: number }).seq));
        resolve(ws);
      }),
    );
    stream = connectRelayStream({ url: `http://127.0.0.1:${(wss.address() as AddressInfo).port}`, channelId, deviceToken: 'token', onEvent: () => {} });
    const ws = await connected;
    ws.send(JSON.stringify({ type: 'hello', channelId, deviceId: 'dev_batching01', cursor: 0, lastSeq: 0, heartbeatMs: 60_000 } satisfies ServerFrame));
    ws.send(JSON.stringify(event(1)));
    await waitFor(() => acks.includes(1), 'the ack of seq 1');
    expect(acks).toEqual([1]);
  });
});
