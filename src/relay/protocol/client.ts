import { WebSocket } from 'ws';
import { backoffMs } from '../../shared/backoff.ts';
import { ackFrame, closeCodes, parseServerFrame, streamPath, type EventFrame, type ServerFrame } from './frames.ts';

/**
 * Device stream client (Node): connects to a relay channel, resumes from a cursor, hands each event
 * to `onEvent`, and acks only after that callback resolved (i.e. after the caller stored the event).
 * Reconnects with exponential back-off and jitter. Independent of the console core.
 */

export interface RelayEvent {
  seq: number;
  deliveryId: string | null;
  /** The Orkestr headers as received by the relay (lower-case names). */
  headers: Record<string, string>;
  /** The raw webhook body, byte for byte — verify the HMAC on this. */
  body: Buffer;
  receivedAt: string;
}

export interface RelayGap {
  /** First seq the device will never receive (purged by retention). */
  from: number;
  to: number;
}

export type RelayStreamStatus =
  | { state: 'connecting'; attempt: number }
  | { state: 'open'; cursor: number; lastSeq: number }
  | { state: 'disconnected'; code?: number; reason?: string; retryInMs: number }
  /** Permanent: the token is unknown or revoked, the channel is gone, or the cursor is ahead. */
  | { state: 'refused'; httpStatus?: number; code?: number; reason: string }
  | { state: 'closed' };

export interface RelayStreamOptions {
  /** Relay base URL, e.g. https://relay.example.com (http→ws, https→wss). */
  url: string;
  channelId: string;
  deviceToken: string;
  /** Last seq this device has stored; omitted → the relay's stored cursor for this device. */
  cursor?: number;
  onEvent: (event: RelayEvent) => Promise<void> | void;
  /**
   * Optional: handles every event already waiting, at once (up to 500), e.g. to store them in one
   * transaction; replaces `onEvent` when given. The batch is acked after it resolves.
   */
  onEvents?: (events: RelayEvent[]) => Promise<void> | void;
  /** Events in [from, to] were purged before this device got them; resolve when handled (e.g. after a full re-pull). */
  onGap?: (gap: RelayGap) => Promise<void> | void;
  onStatus?: (status: RelayStreamStatus) => void;
  /** Back-off bounds; defaults 500 ms and 30 s. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Largest message accepted from the relay; default 32 MiB (a 1 MiB body is ~1.4 MiB in base64). */
  maxPayloadBytes?: number;
  /**
   * At most one ack per this many ms (fewer than 100 events apart); default 100 ms. The first ack
   * after a quiet time goes at once, later ones wait for the end of the interval and cover everything
   * handled by then. An ack per drained queue meant one at almost every webhook at 500/s: a socket
   * write here and a cursor commit in the relay's writer (queued with the ingests) each time. Waiting
   * loses nothing: the stored cursor is where this device resumes, close() sends what is pending, and
   * the relay's flow-control window (1,000 unacked events) is seconds of traffic.
   */
  ackDelayMs?: number;
  /**
   * The highest seq whose handling is durable, for a caller that commits after `onEvents` returned
   * (several batches grouped into one commit): acks never go past it (an ack says "stored"), and the
   * caller calls `committed()` after each commit. Without it, what is handled counts as stored.
   */
  durable?: () => number | undefined;
}

export interface RelayStream {
  close(): Promise<void>;
  /** Highest seq handled (onEvent resolved or gap handled); undefined before the first. */
  cursor(): number | undefined;
  /** With `durable`: more is durable now (the caller committed); acks it within the ack interval. */
  committed(): void;
  /**
   * The caller lost what it handled after `cursor` (a commit that failed or was rolled back): forget
   * it, drop what is queued, and reconnect from `cursor` (undefined: the relay's stored cursor).
   */
  rewind(cursor: number | undefined): void;
}

function eventFromFrame(frame: EventFrame): RelayEvent {
  return { seq: frame.seq, deliveryId: frame.deliveryId, headers: frame.headers, body: Buffer.from(frame.body, 'base64'), receivedAt: frame.receivedAt };
}

/** Ack at once every this many handled events; fewer wait for the ack delay (see `ackDelayMs`). */
const ackEvery = 100;
/** Largest batch handed to `onEvents`. */
const maxBatch = 500;

// eslint-disable-next-line max-lines-per-function -- the stream client's connect, back-off, ack and close are closures over one connection's state
export function connectRelayStream(options: RelayStreamOptions): RelayStream {
  const minBackoff = options.minBackoffMs ?? 500;
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  let cursor = options.cursor;
  let stopped = false;
  let ws: WebSocket | null = null;
  let attempt = 0;
  let retryTimer: NodeJS.Timeout | null = null;
  let watchdog: NodeJS.Timeout | null = null;
  let queue: ServerFrame[] = [];
  let processing: Promise<void> = Promise.resolve();
  let draining = false;
  let unacked = 0;
  /** Highest seq acked on this connection (its hello's confirmation included). */
  let acked: number | undefined;
  /** Bumped by rewind(): a drain under way then neither moves the cursor nor goes on. */
  let generation = 0;
  let ackTimer: NodeJS.Timeout | null = null;
  let lastAckAt = -Infinity;
  const ackDelayMs = options.ackDelayMs ?? 100;
  const status = (s: RelayStreamStatus): void => {
    try {
      options.onStatus?.(s);
    } catch {
      // a status callback must not break the stream
    }
  };

  const base = options.url.replace(/\/+$/, '').replace(/^http/i, 'ws');

  /** What an ack may say now: the cursor, or less when the caller has not made all of it durable. */
  const ackable = (): number | undefined => {
    if (cursor === undefined || !options.durable) return cursor;
    const durable = options.durable();
    return durable === undefined ? undefined : Math.min(cursor, durable);
  };
  const ackDue = (): boolean => {
    const upTo = ackable();
    return upTo !== undefined && (acked === undefined || upTo > acked);
  };

  const sendAck = (socket: WebSocket): void => {
    if (ackTimer) clearTimeout(ackTimer);
    ackTimer = null;
    const upTo = ackable();
    if (upTo === undefined || !ackDue()) return;
    acked = upTo;
    unacked = 0;
    lastAckAt = performance.now();
    if (socket.readyState === WebSocket.OPEN) socket.send(ackFrame(upTo));
  };

  /** Acks what is handled now, or at the end of the current ack interval (see `ackDelayMs`). */
  const ackSoon = (socket: WebSocket): void => {
    if (ackTimer || !ackDue()) return;
    const wait = lastAckAt + ackDelayMs - performance.now();
    if (wait <= 0) return sendAck(socket);
    ackTimer = setTimeout(() => {
      ackTimer = null;
      // The socket of now: a reconnect reset `unacked`, and its hello already confirmed the cursor.
      if (ws) sendAck(ws);
    }, wait);
    ackTimer.unref();
  };

  /** Handles queued messages one at a time, in order; stops at the first failure. */
  const drain = (socket: WebSocket): void => {
    if (draining) return;
    draining = true;
    const gen = generation;
    processing = (async () => {
      try {
        while (queue.length > 0 && socket === ws && !stopped && gen === generation) {
          const message = queue.shift()!;
          if (message.type === 'event' && options.onEvents) {
            const batch: EventFrame[] = [message];
            while (batch.length < maxBatch && queue[0]?.type === 'event') batch.push(queue.shift() as EventFrame);
            const fresh = batch.filter((m) => cursor === undefined || m.seq > cursor);
            if (fresh.length === 0) continue; // already handled
            await options.onEvents(fresh.map(eventFromFrame));
            if (gen !== generation) break; // rewound meanwhile: these are to come again
            cursor = fresh[fresh.length - 1]!.seq;
            unacked += fresh.length;
          } else if (message.type === 'event') {
            if (cursor !== undefined && message.seq <= cursor) continue; // already handled
            await options.onEvent(eventFromFrame(message));
            if (gen !== generation) break;
            cursor = message.seq;
            unacked++;
          } else if (message.type === 'gap') {
            if (cursor !== undefined && message.to <= cursor) continue;
            await options.onGap?.({ from: message.from, to: message.to });
            if (gen !== generation) break;
            cursor = message.to;
            unacked++;
          }
          if (unacked >= ackEvery) sendAck(socket);
          else if (queue.length === 0) ackSoon(socket);
        }
      } catch (error) {
        // The callback failed: nothing more is acked; reconnect and get it again from the cursor.
        // The socket is retired at once, not when its close completes: an event arriving during the
        // closing handshake would otherwise be handled past the failed one, which would then be
        // skipped for good (its seq is below the new cursor).
        queue = [];
        if (socket === ws) {
          ws = null;
          socket.close(closeCodes.handlerFailed, `handler failed: ${(error as Error).message}`.slice(0, 120));
        }
      } finally {
        draining = false;
      }
    })();
  };

  /**
   * Starts the drain after the frames read with this one were queued too (setImmediate runs right
   * after this I/O callback): the relay sends what one group commit stored together, and handled as
   * one batch it costs the caller one transaction instead of one for the first frame and another for
   * the rest. Order is unchanged: the queue is FIFO and one drain runs at a time.
   */
  let drainScheduled = false;
  const scheduleDrain = (): void => {
    if (drainScheduled || draining) return;
    drainScheduled = true;
    setImmediate(() => {
      drainScheduled = false;
      // The socket of now: the queue holds only its frames (a reconnect empties it).
      if (ws) drain(ws);
    });
  };

  const armWatchdog = (socket: WebSocket, heartbeatMs: number): void => {
    if (watchdog) clearTimeout(watchdog);
    watchdog = setTimeout(() => socket.terminate(), heartbeatMs * 3);
    watchdog.unref();
  };

  const scheduleReconnect = (info: { code?: number; reason?: string }): void => {
    if (stopped) return;
    attempt++;
    const delay = backoffMs(attempt, minBackoff, maxBackoff);
    status({ state: 'disconnected', ...info, retryInMs: delay });
    retryTimer = setTimeout(() => {
      retryTimer = null;
      // Never reconnect while a handler is still running: its ack would race the new cursor.
      void processing.then(connect);
    }, delay);
  };

  const connect = (): void => {
    if (stopped) return;
    status({ state: 'connecting', attempt });
    const params = new URLSearchParams();
    if (cursor !== undefined) params.set('cursor', String(cursor));
    const query = params.size > 0 ? `?${params}` : '';
    const socket = new WebSocket(`${base}${streamPath(options.channelId)}${query}`, {
      headers: { authorization: `Bearer ${options.deviceToken}` },
      maxPayload: options.maxPayloadBytes ?? 32 * 1024 * 1024,
      perMessageDeflate: false,
      handshakeTimeout: 15_000,
    });
    ws = socket;
    queue = [];
    unacked = 0;
    acked = undefined;
    let refused = false;

    socket.on('unexpected-response', (_req, res) => {
      const httpStatus = res.statusCode ?? 0;
      res.resume();
      if (httpStatus === 401 || httpStatus === 403 || httpStatus === 404 || httpStatus === 409 || httpStatus === 400) {
        refused = true;
        stopped = true;
        status({ state: 'refused', httpStatus, reason: res.statusMessage ?? `HTTP ${httpStatus}` });
      }
      socket.terminate();
    });
    socket.on('message', (data: Buffer) => {
      if (socket !== ws) return; // retired after a failed handler; its close is under way
      const message = parseServerFrame(data.toString('utf8'));
      if (message === null) {
        // Not a frame of this protocol: acting on it could skip events (a bad seq) or crash here.
        // Retire the socket at once (as after a failed handler) so that no later frame is handled
        // past it; the reconnect resumes from the cursor.
        queue = [];
        ws = null;
        socket.close(closeCodes.protocol, 'malformed frame from relay');
        return;
      }
      if (message.type === 'hello') {
        attempt = 0;
        armWatchdog(socket, message.heartbeatMs);
        status({ state: 'open', cursor: message.cursor, lastSeq: message.lastSeq });
        // Confirm what this device already holds (and has made durable), so the relay's stored cursor catches up.
        const holds = ackable();
        if (holds !== undefined && holds > 0) {
          acked = holds;
          socket.send(ackFrame(holds));
        }
        return;
      }
      if (watchdog) watchdog.refresh();
      if (message.type === 'heartbeat') return;
      queue.push(message);
      scheduleDrain();
    });
    socket.on('ping', () => watchdog?.refresh());
    socket.on('error', () => {
      // 'close' follows
    });
    socket.on('close', (code: number, reasonBuf: Buffer) => {
      if (watchdog) clearTimeout(watchdog);
      watchdog = null;
      if (ws === socket) ws = null;
      queue = [];
      const reason = reasonBuf.toString();
      if (refused) return;
      if (code === closeCodes.revoked || code === closeCodes.cursorAhead) {
        stopped = true;
        status({ state: 'refused', code, reason });
        return;
      }
      scheduleReconnect({ code, reason });
    });
  };

  connect();

  return {
    cursor: () => cursor,
    committed() {
      if (ws && ws.readyState === WebSocket.OPEN) ackSoon(ws);
    },
    rewind(to) {
      generation++;
      cursor = to;
      queue = [];
      unacked = 0;
      if (ackTimer) clearTimeout(ackTimer);
      ackTimer = null;
      const socket = ws;
      ws = null;
      // Its 'close' schedules the reconnect, from `cursor` (after the handler under way, if any).
      if (socket) socket.close(closeCodes.handlerFailed, 'device rewound its cursor');
    },
    async close() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      if (ackTimer) clearTimeout(ackTimer);
      ackTimer = null;
      const socket = ws;
      ws = null;
      await processing.catch(() => {});
      if (socket) {
        const upTo = ackable();
        if (socket.readyState === WebSocket.OPEN && upTo !== undefined && ackDue()) socket.send(ackFrame(upTo));
        await new Promise<void>((resolve) => {
          if (socket.readyState === WebSocket.CLOSED) return resolve();
          const t = setTimeout(() => {
            socket.terminate();
            resolve();
          }, 2000);
          socket.once('close', () => {
            clearTimeout(t);
            resolve();
          });
          socket.close(1000, 'client closing');
        });
      }
      status({ state: 'closed' });
    },
  };
}
