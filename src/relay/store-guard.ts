import type { RelayStore } from './store.ts';

/**
 * A store call failed: the database is down, restarting, unreachable, or timed out. The server answers
 * every request that needed it 503 + Retry-After (the sender retries), whatever the call was, and
 * never shows the cause to the sender (it goes to the log: it may hold an address or a user name).
 */
export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`store unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'StoreUnavailableError';
  }
}

/** Seconds a sender is asked to wait after a 503 for an unavailable store. */
export const storeRetryAfterSeconds = 5;

/** The same store, its every failure turned into a StoreUnavailableError (so the server can tell). */
export function guardStore(store: RelayStore): RelayStore {
  const guard =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await call(...args);
      } catch (error) {
        throw error instanceof StoreUnavailableError ? error : new StoreUnavailableError(error);
      }
    };
  return {
    kind: store.kind,
    health: guard(() => store.health()),
    createChannel: guard((c) => store.createChannel(c)),
    getChannel: guard((id) => store.getChannel(id)),
    addDevice: guard((d) => store.addDevice(d)),
    revokeDevice: guard((channelId, deviceId, at) => store.revokeDevice(channelId, deviceId, at)),
    findDevice: guard((channelId, tokenHash) => store.findDevice(channelId, tokenHash)),
    listDevices: guard((channelId) => store.listDevices(channelId)),
    ingest: guard((input) => store.ingest(input)),
    readEvents: guard((channelId, afterSeq, limit) => store.readEvents(channelId, afterSeq, limit)),
    ack: guard((channelId, deviceId, seq) => store.ack(channelId, deviceId, seq)),
    purge: guard((before) => store.purge(before)),
    stats: guard(() => store.stats()),
    putFeed: guard((feed) => store.putFeed(feed)),
    getFeed: guard((feedKey) => store.getFeed(feedKey)),
    deleteFeed: guard((channelId, feedKey) => store.deleteFeed(channelId, feedKey)),
    publish: guard((notice) => store.publish(notice)),
    subscribe: (listener) => store.subscribe(listener),
    close: () => store.close(),
  };
}
