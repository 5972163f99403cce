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
