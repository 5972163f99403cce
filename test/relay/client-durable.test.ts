/**
 * A device that commits after its handler returned (the console's relay link groups batches into
 * fewer commits, issue #16) tells the stream what is durable: an ack means "stored", so it never goes
 * past that, and `committed()` acks the rest. When the device loses what it handled (its group was
 * rolled back), `rewind(cursor)` reconnects from there, and the frames handled after it come again.
 * A real WebSocket server on loopback plays the relay.
 */
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { connectRelayStream, type RelayEvent, type RelayStream } from '../../src/relay/protocol/client.ts';
import type { ServerFrame } from '../../src/relay/protocol/frames.ts';
import { waitFor } from '../support/wait-for.ts';

const channelId = 'ch_durable0123456789ab';
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

const hello = (cursor: number): string => JSON.stringify({ type: 'hello', channelId, deviceId: 'dev_durable01', cursor, lastSeq: 10, heartbeatMs: 60_000 } satisfies ServerFrame);

/** A loopback "relay" recording each connection's URL and every ack. */
async function fakeRelay(): Promise<{ url: string; acks: number[]; connections: Array<{ ws: WebSocket; url: string }> }> {
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const acks: number[] = [];
  const connections: Array<{ ws: WebSocket; url: string }> = [];
  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    ws.on('message', (data: Buffer) => acks.push((JSON.parse(data.toString('utf8')) as { seq: number }).seq));
    connections.push({ ws, url: req.url ?? '' });
  });
  return { url: `http://127.0.0.1:${(wss.address() as AddressInfo).port}`, acks, connections };
}

describe('relay stream client: durable acks and rewind', () => {
  it('acks only what the device made durable, and the rest once it says it committed', async () => {
    const relay = await fakeRelay();
    let durable: number | undefined;
    const handled: number[] = [];
    stream = connectRelayStream({
      url: relay.url,
      channelId,
      deviceToken: 'token',
      ackDelayMs: 0,
      durable: () => durable,
      onEvent: () => {},
      onEvents: (events: RelayEvent[]) => {
        handled.push(...events.map((e) => e.seq));
      },
    });
    await waitFor(() => relay.connections.length === 1, 'the connection');
    const { ws } = relay.connections[0]!;
    ws.send(hello(0));
    for (let seq = 1; seq <= 5; seq++) ws.send(JSON.stringify(event(seq)));
    await waitFor(() => handled.length === 5, 'five events handled');
    // Handled, not committed: a round trip later still no ack.
    await new Promise((r) => setTimeout(r, 50));
    expect(relay.acks).toEqual([]);
    durable = 3;
    stream.committed();
    await waitFor(() => relay.acks.includes(3), 'the ack of what is committed');
    durable = 5;
    stream.committed();
    await waitFor(() => relay.acks.includes(5), 'the ack of the rest');
    expect(relay.acks).toEqual([3, 5]);
  });

  it('rewinds: reconnects from the given cursor and hands over again what came after it', async () => {
    const relay = await fakeRelay();
    const handled: number[] = [];
    stream = connectRelayStream({
      url: relay.url,
      channelId,
      deviceToken: 'token',
      minBackoffMs: 5,
      maxBackoffMs: 10,
      onEvent: () => {},
      onEvents: (events: RelayEvent[]) => {
        handled.push(...events.map((e) => e.seq));
      },
    });
    await waitFor(() => relay.connections.length === 1, 'the connection');
    const first = relay.connections[0]!.ws;
    first.send(hello(0));
    for (let seq = 1; seq <= 4; seq++) first.send(JSON.stringify(event(seq)));
    await waitFor(() => handled.length === 4, 'four events handled');
    expect(stream.cursor()).toBe(4);
    // The device lost 3 and 4 (say, its commit failed): it wants them again.
    stream.rewind(2);
    expect(stream.cursor()).toBe(2);
    await waitFor(() => relay.connections.length === 2, 'the reconnection');
    expect(new URL(relay.connections[1]!.url, 'http://x').searchParams.get('cursor')).toBe('2');
    const second = relay.connections[1]!.ws;
    second.send(hello(2));
    for (let seq = 3; seq <= 4; seq++) second.send(JSON.stringify(event(seq)));
    await waitFor(() => handled.length === 6, '3 and 4 handled again');
    expect(handled).toEqual([1, 2, 3, 4, 3, 4]);
    expect(stream.cursor()).toBe(4);
  });
});
