import type { ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { connectRelayStream, type RelayEvent, type RelayGap, type RelayStream, type RelayStreamStatus } from '../../src/relay/protocol/index.ts';
import { spawnCli, type CliProcess } from '../support/cli.ts';

export const adminToken = 'test-admin-token-0123456789';
export const webhookSecret = 'whsec_test_secret_for_hmac';

export function sign(body: Buffer, secret = webhookSecret): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

export interface Channel {
  id: string;
  ingressUrl: string;
  streamUrl: string;
  deviceId: string;
  deviceToken: string;
}

export async function createChannel(baseUrl: string): Promise<Channel> {
  const res = await fetch(`${baseUrl}/v1/channels`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: '{"name":"test"}' });
  if (res.status !== 201) throw new Error(`create channel: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as Channel;
}

export async function addDevice(baseUrl: string, channelId: string): Promise<{ deviceId: string; deviceToken: string }> {
  const res = await fetch(`${baseUrl}/v1/channels/${channelId}/devices`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}` } });
  if (res.status !== 201) throw new Error(`add device: HTTP ${res.status}`);
  return (await res.json()) as { deviceId: string; deviceToken: string };
}

export interface PostResult {
  status: number;
  seq?: number;
  duplicate?: boolean;
}

/** Posts a webhook the way Orkestr does: raw bytes + signature + delivery id + event name. */
export async function postWebhook(ingressUrl: string, body: Buffer | string, deliveryId: string | null, event = 'booking.confirmed'): Promise<PostResult> {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-orkestr-signature': sign(bytes),
    'x-orkestr-event': event,
  };
  if (deliveryId !== null) headers['x-orkestr-delivery-id'] = deliveryId;
  const res = await fetch(ingressUrl, { method: 'POST', headers, body: bytes });
  const text = await res.text();
  let json: { seq?: number; duplicate?: boolean } = {};
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    // non-JSON error body
  }
  return { status: res.status, ...(json.seq !== undefined ? { seq: json.seq } : {}), ...(json.duplicate ? { duplicate: true } : {}) };
}

/** Posts many webhooks with bounded concurrency. */
export async function postMany(ingressUrl: string, items: Array<{ body: string; deliveryId: string }>, concurrency = 16): Promise<PostResult[]> {
  const results = new Array<PostResult>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await postWebhook(ingressUrl, items[i]!.body, items[i]!.deliveryId);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

export interface Collector {
  events: RelayEvent[];
  gaps: RelayGap[];
  statuses: RelayStreamStatus[];
  stream: RelayStream;
}

/** A device stream that records what it receives. */
export function collect(baseUrl: string, channelId: string, deviceToken: string, extra: { cursor?: number; onEvent?: (ev: RelayEvent) => Promise<void> | void } = {}): Collector {
  const c: Omit<Collector, 'stream'> = { events: [], gaps: [], statuses: [] };
  const stream = connectRelayStream({
    url: baseUrl,
    channelId,
    deviceToken,
    ...(extra.cursor !== undefined ? { cursor: extra.cursor } : {}),
    minBackoffMs: 50,
    maxBackoffMs: 500,
    onEvent: async (ev) => {
      await extra.onEvent?.(ev);
      c.events.push(ev);
    },
    onGap: (gap) => {
      c.gaps.push(gap);
    },
    onStatus: (s) => c.statuses.push(s),
  });
  return Object.assign(c, { stream });
}

export interface RelayProcess {
  cli: CliProcess;
  child: ChildProcess;
  url: string;
  stderr: () => string;
}

/** Starts `orkestr-console relay …` as a child process and waits for its listening line. */
export async function spawnRelay(args: string[]): Promise<RelayProcess> {
  const cli = spawnCli(['relay', '--port', '0', '--admin-token', adminToken, ...args], { timeoutMs: 600_000 });
  const listening = await cli.waitForOutput(/relay listening at (http:\/\/\S+)/, 'the relay child to listen', 30_000);
  return { cli, child: cli.child, url: listening[1]!, stderr: cli.stderr };
}

/** Signals a relay child and waits for it to exit; its exit code (null when a signal ended it). */
export async function stopChild(relay: RelayProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  return (await relay.cli.stop(signal)).code;
}
