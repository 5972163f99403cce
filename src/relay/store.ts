/**
 * The relay's storage interface. Two implementations: SQLite (embedded default, one process) and
 * PostgreSQL (several relay processes behind one URL, with LISTEN/NOTIFY between them).
 *
 * Every method is async so both stores share one shape. "Durable" means: when `ingest` resolves,
 * the event is on disk (SQLite WAL + synchronous=FULL, or a committed PostgreSQL transaction).
 *
 * This file is what both stores implement and import; it imports neither (open-store.ts picks one),
 * so the stores and their interface form no circle.
 */

/** The Orkestr headers kept with each event (lower-case names). */
export type StoredHeaders = Record<string, string>;

export interface IngestInput {
  channelId: string;
  /** X-Orkestr-Delivery-Id; null when the sender gave none (then there is no dedupe). */
  deliveryId: string | null;
  headers: StoredHeaders;
  /** The raw request body, exactly as received. */
  body: Buffer;
  /** Milliseconds since the epoch, from the relay's clock. */
  receivedAt: number;
}

export type IngestResult =
  | { status: 'stored'; seq: number }
  /**
   * The delivery id is already stored on this channel (nothing stored now). `sameBody` false: the id
   * came back with other bytes — not a retry of the platform but a replay or a sender's bug; still
   * answered as a duplicate (the id is the dedupe key), and the server logs and counts it.
   */
  | { status: 'duplicate'; seq: number; sameBody: boolean }
  | { status: 'unknown-channel' };

export interface StoredEvent {
  channelId: string;
  seq: number;
  deliveryId: string | null;
  headers: StoredHeaders;
  body: Buffer;
  receivedAt: number;
}

export interface ChannelRow {
  id: string;
  name: string | null;
  createdAt: number;
  lastSeq: number;
  /** Highest seq removed by retention; a cursor below it has missed events. */
  purgedSeq: number;
}

export interface DeviceRow {
  id: string;
  channelId: string;
  ackedSeq: number;
  createdAt: number;
  revokedAt: number | null;
}

export interface FeedRow {
  feedKey: string;
  channelId: string;
  body: Buffer;
  etag: string;
  lastModified: number;
}

export interface ChannelStats {
  channelId: string;
  lastSeq: number;
  /** Lowest acked seq over the channel's active devices; null when it has none. */
  minAckedSeq: number | null;
  activeDevices: number;
}

/** Signals between relay nodes (PostgreSQL NOTIFY) or within one process (SQLite). */
export type StoreNotice =
  /**
   * `event`: the stored event itself, when the notice comes from the commit that stored it in this
   * process (SQLite), so that a caught-up stream sends it without reading it back (stream.ts).
   */
  | { kind: 'event'; channelId: string; seq: number; event?: StoredEvent }
  | { kind: 'revoke'; channelId: string; deviceId: string }
  /** The notification link was lost and restored: notices may have been missed, re-read everything. */
  | { kind: 'resync' };

export interface RelayStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Cheap query proving the store answers. Throws when it does not. */
  health(): Promise<void>;
  createChannel(channel: { id: string; name: string | null; createdAt: number }): Promise<void>;
  getChannel(channelId: string): Promise<ChannelRow | null>;
  addDevice(device: { id: string; channelId: string; tokenHash: string; createdAt: number }): Promise<void>;
  /** Marks the device revoked; false when there is no such active device on that channel. */
  revokeDevice(channelId: string, deviceId: string, at: number): Promise<boolean>;
  /** The active (not revoked) device of this channel with that token hash. */
  findDevice(channelId: string, tokenHash: string): Promise<DeviceRow | null>;
  listDevices(channelId: string): Promise<DeviceRow[]>;
  /** Durably appends the event with the next per-channel seq, or finds the earlier copy of it. */
  ingest(input: IngestInput): Promise<IngestResult>;
  /** Events with seq > afterSeq, ascending, at most `limit`. */
  readEvents(channelId: string, afterSeq: number, limit: number): Promise<StoredEvent[]>;
  /** Raises the device's acked cursor (never lowers it). */
  ack(channelId: string, deviceId: string, seq: number): Promise<void>;
  /** Deletes events received before `before` (ms epoch); returns how many went. */
  purge(before: number): Promise<number>;
  stats(): Promise<ChannelStats[]>;
  putFeed(feed: FeedRow): Promise<'created' | 'updated' | 'unchanged' | 'forbidden'>;
  getFeed(feedKey: string): Promise<FeedRow | null>;
  deleteFeed(channelId: string, feedKey: string): Promise<boolean>;
  /** Publishes a notice to every relay node on this store (including this one). */
  publish(notice: StoreNotice): Promise<void>;
  subscribe(listener: (notice: StoreNotice) => void): () => void;
  close(): Promise<void>;
}

/** Small listener set shared by both stores. */
export class NoticeListeners {
  #listeners = new Set<(notice: StoreNotice) => void>();

  add(listener: (notice: StoreNotice) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(notice: StoreNotice): void {
    for (const listener of this.#listeners) {
      try {
        listener(notice);
      } catch {
        // a listener's failure must not stop the others
      }
    }
  }
}
