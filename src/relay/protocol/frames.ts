/**
 * The device stream's wire format, the one definition both ends use: the relay server
 * (src/relay/stream.ts) writes these frames and the device stream client (./client.ts, run by the
 * console core's relay link) reads them. JSON text frames; bodies travel as base64 so the webhook's
 * bytes arrive exactly as the platform sent them (the desktop verifies the HMAC on them).
 */

/** Frames the relay sends on a device stream. */
export type ServerFrame =
  | { type: 'hello'; channelId: string; deviceId: string; cursor: number; lastSeq: number; heartbeatMs: number }
  | EventFrame
  | { type: 'gap'; from: number; to: number }
  | { type: 'heartbeat'; at: string };

export interface EventFrame {
  type: 'event';
  seq: number;
  deliveryId: string | null;
  /** The Orkestr headers as received by the relay (lower-case names). */
  headers: Record<string, string>;
  /** The raw webhook body, base64. */
  body: string;
  /** ISO 8601, the relay's clock. */
  receivedAt: string;
}

/** Frames a device sends: only acks ("I have stored everything up to seq"). */
export type ClientFrame = { type: 'ack'; seq: number };

/** WebSocket close codes of the stream (4000–4999 are application codes). */
export const closeCodes = {
  /** Client: its event handler failed; it reconnects from its cursor. */
  handlerFailed: 4000,
  /** Either side: a frame that is not valid JSON or not a known frame. */
  protocol: 4400,
  /** Relay: the device was revoked (permanent). */
  revoked: 4401,
  /** Relay: the device's cursor is ahead of the channel (permanent). */
  cursorAhead: 4409,
  shutdown: 1001,
} as const;

/** The stream's path under the relay's base URL (ws:// or wss://). */
export function streamPath(channelId: string): string {
  return `/v1/channels/${encodeURIComponent(channelId)}/stream`;
}

/** Matches a stream path; group 1 is the (encoded) channel id. */
export const streamPathPattern = /^\/v1\/channels\/([^/]+)\/stream$/;

export function ackFrame(seq: number): string {
  return JSON.stringify({ type: 'ack', seq } satisfies ClientFrame);
}

// ---- reading frames: each end trusts nothing the other sends --------------------------------------

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown, min: number): v is number => Number.isSafeInteger(v) && (v as number) >= min;
const isBase64 = (v: unknown): v is string => typeof v === 'string' && v.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(v);
const isStringRecord = (v: unknown): v is Record<string, string> => isObject(v) && Object.values(v).every((x) => typeof x === 'string');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * A frame from the relay, checked field by field; null when it is not valid JSON or not a frame of
 * this protocol (the client then drops the connection rather than act on it: a seq that is not a
 * safe integer, for one, would move its cursor past events it never got).
 */
export function parseServerFrame(text: string): ServerFrame | null {
  const f = parseJson(text);
  if (!isObject(f)) return null;
  switch (f['type']) {
    case 'hello':
      if (typeof f['channelId'] !== 'string' || typeof f['deviceId'] !== 'string' || !isCount(f['cursor'], 0) || !isCount(f['lastSeq'], 0) || !isCount(f['heartbeatMs'], 1)) return null;
      return { type: 'hello', channelId: f['channelId'], deviceId: f['deviceId'], cursor: f['cursor'], lastSeq: f['lastSeq'], heartbeatMs: f['heartbeatMs'] };
    case 'event': {
      const deliveryId = f['deliveryId'];
      if (!isCount(f['seq'], 1) || (deliveryId !== null && typeof deliveryId !== 'string') || !isStringRecord(f['headers']) || !isBase64(f['body']) || typeof f['receivedAt'] !== 'string') return null;
      return { type: 'event', seq: f['seq'], deliveryId, headers: f['headers'], body: f['body'], receivedAt: f['receivedAt'] };
    }
    case 'gap': {
      const from = f['from'];
      const to = f['to'];
      if (!isCount(from, 1) || !isCount(to, from)) return null;
      return { type: 'gap', from, to };
    }
    case 'heartbeat':
      return typeof f['at'] === 'string' ? { type: 'heartbeat', at: f['at'] } : null;
    default:
      return null;
  }
}

/** A frame from a device: only `{"type":"ack","seq":N}` with N a safe integer ≥ 0; else null. */
export function parseClientFrame(text: string): ClientFrame | null {
  const f = parseJson(text);
  return isObject(f) && f['type'] === 'ack' && isCount(f['seq'], 0) ? { type: 'ack', seq: f['seq'] } : null;
}
