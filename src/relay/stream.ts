import type { WebSocket } from 'ws';
import type { RelayMetrics } from './metrics.ts';
import type { RelayStore, StoreNotice, StoredEvent } from './store.ts';
import { closeCodes, parseClientFrame, type ServerFrame } from './protocol/frames.ts';

/** Events sent but not yet acked, per device; beyond it the relay waits for acks (flow control). */
const window = 1000;
const readBatch = 200;
/** Bytes queued in the socket beyond which sending pauses until the device reads (slow links, big bodies). */
const maxBuffered = 4 * 1024 * 1024;

export interface HubOptions {
  store: RelayStore;
  metrics: RelayMetrics;
  heartbeatMs: number;
  log: (msg: string, fields?: Record<string, unknown>) => void;
}

class DeviceSession {
  /** Highest seq sent (or skipped by a gap notice). */
  sent: number;
  /** Highest seq the device acked on this connection (or its starting cursor): the flow-control base. */
  acked: number;
  /** Highest cursor stored for this device (written only on acks). */
  persisted: number;
  /** Pending cursor to persist, coalesced while a write is in flight. */
  #ackToWrite: number | null = null;
  #writing = false;
  #pumping = false;
  #again = false;
  closed = false;
  alive = true;
  /** Set on connect and on each heartbeat: an empty read then checks for a retention gap. */
  gapCheckDue = true;

  readonly hub: StreamHub;
  readonly ws: WebSocket;
  readonly channelId: string;
  readonly deviceId: string;

  constructor(hub: StreamHub, ws: WebSocket, channelId: string, deviceId: string, cursor: number, storedAck: number) {
    this.persisted = storedAck;
    this.hub = hub;
    this.ws = ws;
    this.channelId = channelId;
    this.deviceId = deviceId;
    this.sent = cursor;
    this.acked = cursor;
  }

  send(message: ServerFrame): void {
    if (this.closed) return;
    this.ws.send(JSON.stringify(message));
  }

  /** Sends what the log holds beyond `sent`, within the ack window. Re-entrant calls coalesce. */
  async pump(): Promise<void> {
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#again = false;
        while (!this.closed && this.sent - this.acked < window) {
          if (this.ws.bufferedAmount > maxBuffered) {
            this.#retryLater();
            break;
          }
          const rows = await this.hub.store.readEvents(this.channelId, this.sent, Math.min(readBatch, window - (this.sent - this.acked)));
          if (this.closed) break;
          if (rows.length === 0) {
            // Everything after the cursor may have expired: look (on connect and on heartbeats only,
            // not on every live event).
            if (this.gapCheckDue) {
              this.gapCheckDue = false;
              if (await this.#checkGap(null)) continue;
            }
            break;
          }
          if (rows[0]!.seq !== this.sent + 1) {
            const skipped = await this.#checkGap(rows[0]!);
            if (skipped) continue; // re-read after the gap
          }
          for (const row of rows) {
            this.#sendEvent(row);
            if (this.ws.bufferedAmount > maxBuffered) break; // the rest is read again later
          }
        }
      } while (this.#again && !this.closed);
    } catch (error) {
      this.hub.log('stream_read_failed', { channelId: this.channelId, deviceId: this.deviceId, error: (error as Error).message });
    } finally {
      this.#pumping = false;
    }
  }

  /**
   * A live event just committed (its store's notice carries it): sent at once when it is the next
   * one this device needs and nothing else is under way; otherwise the pump reads the log as ever.
   * Hot path (#16's webhook path at 500/s): reading back each committed batch cost the relay's loop
   * a SELECT or two per batch, about a tenth of its CPU, and the read's wait sat in every delivery's
   * latency. The event is durable already: the notice comes after its commit.
   */
  offer(event: StoredEvent | undefined): void {
    if (event && !this.#pumping && !this.closed && event.seq === this.sent + 1 && this.sent - this.acked < window && this.ws.bufferedAmount <= maxBuffered) {
      this.#sendEvent(event);
      return;
    }
    void this.pump();
  }

  #retryTimer: NodeJS.Timeout | null = null;

  #retryLater(): void {
    if (this.#retryTimer || this.closed) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      void this.pump();
    }, 25);
  }

  /** When retention removed events this cursor had not reached, say so once and move past them. */
  async #checkGap(first: StoredEvent | null): Promise<boolean> {
    const channel = await this.hub.store.getChannel(this.channelId);
    if (!channel || channel.purgedSeq <= this.sent) return false;
    const to = first ? Math.min(channel.purgedSeq, first.seq - 1) : channel.purgedSeq;
    if (to <= this.sent) return false;
    this.send({ type: 'gap', from: this.sent + 1, to });
    this.hub.log('stream_gap', { channelId: this.channelId, deviceId: this.deviceId, from: this.sent + 1, to });
    this.sent = to;
    return true;
  }

  #sendEvent(row: StoredEvent): void {
    if (row.seq <= this.sent) return;
    this.send({
      type: 'event',
      seq: row.seq,
      deliveryId: row.deliveryId,
      headers: row.headers,
      body: row.body.toString('base64'),
      receivedAt: new Date(row.receivedAt).toISOString(),
    });
    this.sent = row.seq;
    this.hub.metrics.delivered++;
  }

  onMessage(data: Buffer): void {
    const message = parseClientFrame(data.toString('utf8'));
    if (message === null) {
      this.ws.close(closeCodes.protocol, 'expected {"type":"ack","seq":N}');
      return;
    }
    this.hub.metrics.acked++;
    // An ack can only confirm what this connection sent; a larger number is a client bug.
    const seq = Math.min(message.seq, this.sent);
    if (seq > this.persisted) {
      this.persisted = seq;
      this.#ackToWrite = seq;
      void this.#writeAck();
    }
    if (seq > this.acked) {
      this.acked = seq;
      void this.pump();
    }
  }

  /** Persists the device cursor; acks arriving during a write are merged into the next one. */
  async #writeAck(): Promise<void> {
    if (this.#writing) return;
    this.#writing = true;
    try {
      while (this.#ackToWrite !== null) {
        const seq = this.#ackToWrite;
        this.#ackToWrite = null;
        try {
          await this.hub.store.ack(this.channelId, this.deviceId, seq);
        } catch (error) {
          this.hub.log('ack_write_failed', { channelId: this.channelId, deviceId: this.deviceId, seq, error: (error as Error).message });
        }
      }
    } finally {
      this.#writing = false;
    }
  }

  /** Resolves once every ack received so far is written. */
  async flushAcks(): Promise<void> {
    for (let i = 0; i < 1000 && (this.#writing || this.#ackToWrite !== null); i++) {
      if (!this.#writing) await this.#writeAck();
      else await new Promise((r) => setTimeout(r, 5));
    }
  }
}

/** All device streams of this node, woken by store notices (local or NOTIFY from other nodes). */
export class StreamHub {
  readonly store: RelayStore;
  readonly metrics: RelayMetrics;
  readonly log: HubOptions['log'];
  readonly heartbeatMs: number;
  #byChannel = new Map<string, Set<DeviceSession>>();
  #timer: NodeJS.Timeout;
  #unsubscribe: () => void;

  constructor(options: HubOptions) {
    this.store = options.store;
    this.metrics = options.metrics;
    this.log = options.log;
    this.heartbeatMs = options.heartbeatMs;
    this.#unsubscribe = this.store.subscribe((notice) => this.#onNotice(notice));
    this.#timer = setInterval(() => this.#heartbeat(), this.heartbeatMs);
    this.#timer.unref();
  }

  get size(): number {
    let n = 0;
    for (const set of this.#byChannel.values()) n += set.size;
    return n;
  }

  /** Takes over an authenticated socket: hello, gap/backlog, then live events. */
  attach(ws: WebSocket, channelId: string, deviceId: string, cursor: number, storedAck: number, lastSeq: number): void {
    const session = new DeviceSession(this, ws, channelId, deviceId, cursor, storedAck);
    let set = this.#byChannel.get(channelId);
    if (!set) this.#byChannel.set(channelId, (set = new Set()));
    set.add(session);
    this.metrics.connectedDevices = this.size;
    this.log('stream_open', { channelId, deviceId, cursor, lastSeq });

    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        ws.close(closeCodes.protocol, 'text frames only');
        return;
      }
      session.alive = true;
      session.onMessage(data);
    });
    ws.on('pong', () => {
      session.alive = true;
    });
    ws.on('error', () => {});
    ws.on('close', (code: number) => {
      session.closed = true;
      set.delete(session);
      if (set.size === 0) this.#byChannel.delete(channelId);
      this.metrics.connectedDevices = this.size;
      void session.flushAcks();
      this.log('stream_close', { channelId, deviceId, code, sent: session.sent, acked: session.acked });
    });

    session.send({ type: 'hello', channelId, deviceId, cursor, lastSeq, heartbeatMs: this.heartbeatMs });
    void session.pump();
  }

  #onNotice(notice: StoreNotice): void {
    if (notice.kind === 'event') {
      for (const s of this.#byChannel.get(notice.channelId) ?? []) s.offer(notice.event);
    } else if (notice.kind === 'revoke') {
      for (const s of this.#byChannel.get(notice.channelId) ?? []) {
        if (s.deviceId === notice.deviceId) s.ws.close(closeCodes.revoked, 'device revoked');
      }
    } else {
      for (const set of this.#byChannel.values()) for (const s of set) void s.pump();
    }
  }

  #heartbeat(): void {
    const at = new Date().toISOString();
    for (const set of this.#byChannel.values()) {
      for (const s of set) {
        if (!s.alive) {
          this.log('stream_dead', { channelId: s.channelId, deviceId: s.deviceId });
          s.ws.terminate();
          continue;
        }
        s.alive = false;
        s.send({ type: 'heartbeat', at });
        s.ws.ping();
        s.gapCheckDue = true;
        void s.pump(); // safety net for a missed notice
      }
    }
  }

  /** Closes every stream (shutdown) and waits for their pending cursor writes. */
  async closeAll(): Promise<void> {
    clearInterval(this.#timer);
    this.#unsubscribe();
    const sessions = [...this.#byChannel.values()].flatMap((set) => [...set]);
    const closedAll = sessions.map(
      (s) =>
        new Promise<void>((resolve) => {
          if (s.closed) return resolve();
          const timer = setTimeout(() => {
            s.ws.terminate();
            resolve();
          }, 1000);
          s.ws.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
        }),
    );
    for (const s of sessions) s.ws.close(closeCodes.shutdown, 'relay shutting down');
    await Promise.all(closedAll);
    await Promise.all(sessions.map((s) => s.flushAcks()));
  }
}
