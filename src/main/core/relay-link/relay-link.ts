import { connectRelayStream, type RelayEvent, type RelayStream, type RelayStreamStatus } from '../../../relay/protocol/index.ts';
import type { ActivityItem, ContractEvents } from '../../../shared/contract/types.ts';
import { coreMessage, type CoreMessage } from '../../../shared/contract/messages.ts';
import type { Replica } from '../replica/replica.ts';
import type { RemoteBooking } from '../sync/remote-types.ts';
import { RelayGroupCommit } from './group-commit.ts';
import { schedulePruning } from './inbox-pruner.ts';
import { bodyDigest, parseEnvelope, verifySignature, type WebhookEnvelope } from './verify.ts';

type Table = ContractEvents['data.changed']['tables'][number];

/** What the link needs from the core: the replica and the way to tell the UI. */
export interface RelayLinkHost {
  replica: Replica;
  /** `ids`: the records whose rows changed, when all are known. */
  notifyChanged(tables: Table[], ids?: readonly string[]): void;
  /** `changed: false`: the caller reports the 'activity' table in its own notifyChanged. */
  notifyActivity(item: ActivityItem, options?: { changed?: boolean }): void;
  /** Webhooks are hints too: pull when an event says less than the whole record. */
  syncNow(): boolean;
}

export interface RelayLinkOptions {
  url: string;
  channelId: string;
  deviceToken: string;
  /** Current webhook secret first, then the previous one while a rotation is under way. */
  secrets: readonly string[];
  onStatus?: (status: RelayStreamStatus) => void;
  log?: (line: string) => void;
}

/** A relay channel this console listens on, with its secrets (kept by the SecretKeeper at rest). */
export interface RelayConfig {
  /** Relay base URL, e.g. https://relay.example.com. */
  url: string;
  channelId: string;
  deviceToken: string;
  /** Webhook signing secrets: current first, then the previous one during a rotation. */
  secrets: string[];
}

/**
 * A relay channel's URL as the relay prints it (`https://relay.example.com/v1/channels/ch_…`), which
 * names both the relay and the channel.
 */
export function parseRelayChannelUrl(raw: string): { url: string; channelId: string } {
  const url = new URL(raw);
  const match = /^(.*)\/v1\/channels\/(ch_[A-Za-z0-9_-]+)\/?$/.exec(url.pathname);
  if (!match) throw new Error(`"${raw}" is not a relay channel URL (expected …/v1/channels/ch_…)`);
  return { url: `${url.origin}${match[1]}`, channelId: match[2]! };
}

export type RelayOutcome = { applied: true; event: string } | { applied: false; reason: string };

const cursorKey = 'relay.cursor';
/** The channel the stored cursor counts in: another channel's sequence numbers mean nothing here. */
const cursorChannelKey = 'relay.cursorChannel';

function text(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}

/** The activity line of a webhook: English for the CLI and logs, and as a code + parameters for the UI. */
function summaryFor(envelope: WebhookEnvelope): { summary: string; message: CoreMessage; bookingId: string | null } {
  const d = envelope.data;
  const booking = d['booking'] as { customer?: { name?: string }; offeringTitle?: string } | undefined;
  const customer = booking?.customer?.name ?? text(d['customerId']);
  const who = customer || 'a customer';
  const what = text(d['offeringTitle'], booking?.offeringTitle ?? '');
  const bookingId = text(d['bookingId']) || null;
  switch (envelope.event) {
    case 'booking.confirmed':
      return {
        summary: `Booking confirmed: ${who}${what ? ` · ${what}` : ''}`,
        message: !customer ? coreMessage('activity.bookingConfirmedUnknown', {}) : what ? coreMessage('activity.bookingConfirmedOffering', { customer, offering: what }) : coreMessage('activity.bookingConfirmed', { customer }),
        bookingId,
      };
    case 'booking.cancelled': {
      // `by` and `customer` may be empty: the UI words "someone" / "a customer" itself.
      const by = text(d['cancelledBy']);
      const refund = typeof d['refundPercent'] === 'number' ? d['refundPercent'] : null;
      return {
        summary: `Booking cancelled by ${by || 'someone'}: ${who}${refund !== null ? ` · refund ${refund}%` : ''}`,
        message: refund !== null ? coreMessage('activity.bookingCancelledRefund', { by, customer, refundPercent: refund }) : coreMessage('activity.bookingCancelled', { by, customer }),
        bookingId,
      };
    }
    case 'booking.rescheduled':
      return {
        summary: `Booking rescheduled: ${who}${what ? ` · ${what}` : ''}`,
        message: !customer ? coreMessage('activity.bookingRescheduledUnknown', {}) : what ? coreMessage('activity.bookingRescheduledOffering', { customer, offering: what }) : coreMessage('activity.bookingRescheduled', { customer }),
        bookingId,
      };
    case 'dispute.opened': {
      const reason = text(d['reason']);
      return {
        summary: `Dispute opened: ${reason || 'no reason given'}`,
        message: reason ? coreMessage('activity.disputeOpened', { reason }) : coreMessage('activity.disputeOpenedNoReason', {}),
        bookingId,
      };
    }
    case 'review.created': {
      const rating = typeof d['rating'] === 'number' ? d['rating'] : null;
      return {
        summary: `New ${String(d['rating'] ?? '?')}-star review`,
        message: rating !== null ? coreMessage('activity.reviewCreated', { rating }) : coreMessage('activity.reviewCreatedNoRating', {}),
        bookingId: null,
      };
    }
    case 'tenant.kyb_verified':
      return { summary: 'Business verified (KYB)', message: coreMessage('activity.kybVerified', {}), bookingId: null };
    case 'webhook.test':
      return { summary: `Test ping: ${text(d['message'], 'ping')}`, message: coreMessage('activity.testPing', { message: text(d['message'], 'ping') }), bookingId: null };
  }
}

/**
 * Runs one transaction with synchronous=NORMAL instead of FULL: in WAL mode the commit survives a
 * crash of this process, and only an OS crash or power cut can drop its tail — which is then streamed
 * again, because the link resumes from the cursor stored in the replica itself, not from the relay's
 * acknowledged cursor. This saves an fsync per webhook (≈3 ms here), without which 500 webhooks/s
 * cannot be applied. Outbox writes keep synchronous=FULL: an acknowledged user action exists nowhere else.
 */
function withoutFsync<T>(replica: Replica, fn: () => T): T {
  // Cached statements: `sqlite.pragma()` prepares its statement anew on every call (twice per batch).
  replica.stmt('PRAGMA synchronous = NORMAL').run();
  try {
    return replica.transaction(fn);
  } finally {
    replica.stmt('PRAGMA synchronous = FULL').run();
  }
}

type RelayedDelivery = Pick<RelayEvent, 'seq' | 'deliveryId' | 'headers' | 'body'>;

/** What a batch changed, told to the UI after its transaction committed. */
interface Effects {
  tables: Set<Table>;
  /** Records whose rows changed (booking, offering ids). */
  ids: Set<string>;
  activities: ActivityItem[];
  needsPull: boolean;
}

const noEffects = (): Effects => ({ tables: new Set<Table>(), ids: new Set<string>(), activities: [], needsPull: false });

/** Inside the caller's transaction: the batch and its cursor (the UI is told apart, with `tell`). */
export function applyWithCursor(replica: Replica, secrets: readonly string[], events: readonly RelayedDelivery[], effects: Effects): RelayOutcome[] {
  const applied = events.map((event) => applyOne(replica, secrets, event, effects));
  // The cursor once per batch, in its transaction: the batch commits wholly or not at all, so the
  // last seq says exactly what is applied (one meta write instead of one per delivery).
  const last = events.at(-1);
  if (last) replica.setMeta(cursorKey, String(last.seq));
  return applied;
}

/**
 * Applies relayed deliveries to the replica, in ONE transaction with the cursor: a crash applies a
 * batch wholly or not at all. Verification happens on the exact bytes; dedupe by delivery id and by
 * body hash. Rejections are logged with their reason and acknowledged: a forged delivery must not
 * block the stream. (The link itself groups batches into fewer commits: RelayGroupCommit.)
 */
export function applyRelayedBatch(host: RelayLinkHost, secrets: readonly string[], events: readonly RelayedDelivery[]): RelayOutcome[] {
  const effects = noEffects();
  const outcomes = withoutFsync(host.replica, () => applyWithCursor(host.replica, secrets, events, effects));
  tell(host, effects);
  return outcomes;
}

/** Tells the UI what a batch changed. */
function tell(host: RelayLinkHost, effects: Effects): void {
  // One data.changed per batch (it lists 'activity' whenever an activity was added), not one per line.
  for (const item of effects.activities) host.notifyActivity(item, { changed: false });
  // A delivery without its record (needsPull) changed rows nobody knows yet: no ids then.
  if (effects.tables.size > 0) host.notifyChanged([...effects.tables], effects.needsPull ? undefined : [...effects.ids]);
  if (effects.needsPull) host.syncNow();
}

/** One delivery; see applyRelayedBatch. */
export function applyRelayedDelivery(host: RelayLinkHost, secrets: readonly string[], event: RelayedDelivery): RelayOutcome {
  return applyRelayedBatch(host, secrets, [event])[0]!;
}

/** Inside the batch's transaction. */
function applyOne(replica: Replica, secrets: readonly string[], event: RelayedDelivery, effects: Effects): RelayOutcome {
  const reject = (reason: string, eventName: string | null = null): RelayOutcome => {
    replica.stmt('INSERT INTO relay_rejections (at, seq, delivery_id, event, reason, body_sha256) VALUES (?,?,?,?,?,?)').run(
      new Date().toISOString(),
      event.seq,
      event.deliveryId,
      eventName,
      reason,
      bodyDigest(event.body),
    );
    return { applied: false, reason };
  };

  const verdict = verifySignature(event.body, event.headers['x-orkestr-signature'], secrets);
  if (!verdict.ok) return reject(verdict.reason);
  const parsed = parseEnvelope(event.body);
  if (!parsed.ok) return reject(parsed.reason);
  const { envelope } = parsed;
  const deliveryId = event.deliveryId ?? event.headers['x-orkestr-delivery-id'];
  if (!deliveryId) return reject('missing delivery id', envelope.event);
  try {
    // A savepoint per delivery: one that cannot be applied is logged and skipped, never half-written,
    // and never blocks the stream by failing the whole batch again and again.
    return replica.savepoint(() => applyVerified(replica, envelope, deliveryId, event.body, effects));
  } catch (error) {
    return reject(`could not apply: ${(error as Error).message}`, envelope.event);
  }
}

function applyVerified(replica: Replica, envelope: WebhookEnvelope, deliveryId: string, body: Buffer, effects: Effects): RelayOutcome {
  if (!replica.recordDelivery({ deliveryId, bodySha256: bodyDigest(body), event: envelope.event })) return { applied: false, reason: 'duplicate' };

  const d = envelope.data;
  switch (envelope.event) {
    case 'booking.confirmed':
    case 'booking.cancelled':
    case 'booking.rescheduled': {
      const booking = d['booking'] as RemoteBooking | undefined;
      if (booking && typeof booking === 'object') {
        replica.applyRemoteBooking(booking);
        if (typeof booking.id === 'string') effects.ids.add(booking.id);
      } else effects.needsPull = true;
      effects.tables.add('bookings');
      break;
    }
    case 'dispute.opened':
      replica.applyDispute({
        id: text(d['disputeId']),
        bookingId: text(d['bookingId']),
        openedById: text(d['openedById']),
        reason: text(d['reason']),
        openedAt: text(d['openedAt'], new Date().toISOString()),
      });
      effects.ids.add(text(d['bookingId']));
      effects.tables.add('disputes');
      break;
    case 'review.created':
      replica.applyReview({
        id: text(d['reviewId']),
        offeringId: text(d['offeringId']),
        rating: Number(d['rating']),
        authorId: text(d['authorId']),
        body: typeof d['body'] === 'string' ? d['body'] : null,
        createdAt: text(d['createdAt'], new Date().toISOString()),
        ...(typeof d['ratingAverage'] === 'number' && typeof d['reviewCount'] === 'number' ? { ratingAverage: d['ratingAverage'], reviewCount: d['reviewCount'] } : {}),
      });
      effects.ids.add(text(d['offeringId']));
      effects.tables.add('offerings');
      break;
    case 'tenant.kyb_verified': {
      const tenant = JSON.parse(replica.getMeta('tenant') ?? '{}') as Record<string, unknown>;
      replica.setMeta('tenant', JSON.stringify({ ...tenant, kybStatus: 'VERIFIED', kybVerifiedAt: text(d['verifiedAt']) }));
      break;
    }
    case 'webhook.test':
      break;
  }
  const { summary, message, bookingId } = summaryFor(envelope);
  effects.activities.push(replica.addActivity({ event: envelope.event, summary, message, bookingId, id: `act_${deliveryId}` }));
  effects.tables.add('activity');
  return { applied: true, event: envelope.event };
}

/** Keeps the console connected to its relay channel; resumes from the replica's stored cursor. */
export function startRelayLink(host: RelayLinkHost, options: RelayLinkOptions): RelayStream {
  if (host.replica.getMeta(cursorChannelKey) !== options.channelId) {
    // Switched channel (the demo's, one set up in Settings, one given with --relay): start from the
    // relay's cursor for this device; the inbox still drops what was applied before.
    host.replica.transaction(() => {
      host.replica.setMeta(cursorKey, null);
      host.replica.setMeta(cursorChannelKey, options.channelId);
    });
  }
  const stored = host.replica.getMeta(cursorKey);
  const report = (event: RelayedDelivery, outcome: RelayOutcome): void => {
    if (!outcome.applied && outcome.reason !== 'duplicate') options.log?.(`relay: rejected seq ${event.seq}: ${outcome.reason}`);
  };
  // The dedupe memory keeps 30 days (inbox-pruner.ts).
  const stopPruning = schedulePruning(host.replica, options.log);
  // Batches share commits (group-commit.ts); the stream acks only what is committed.
  const group = new RelayGroupCommit(host.replica, cursorKey, {
    committed: () => stream.committed(),
    rewind: (cursor) => stream.rewind(cursor),
    ...(options.log ? { log: options.log } : {}),
  });
  // One delivery at a time, each told as soon as it is applied (hot path, #16): a batch is everything
  // that waited, a dozen or more after any hiccup (a group commit, a GC, a slow fsync in the relay),
  // and told at its end the oldest delivery's UI event waited for the apply of all the others (~0.5 ms
  // each) on top of the hiccup: that wait was the tail of the webhook path's p99. The commits stay
  // grouped (group-commit.ts), so a savepoint and a cursor write per delivery cost little. A delivery
  // that throws leaves the ones before it applied in the group (their cursor with them); the stream
  // reconnects from its own cursor (before the batch) and those come again as duplicates (the inbox).
  const handle = (events: readonly RelayedDelivery[]): void => {
    for (const event of events) {
      const effects = noEffects();
      const [outcome] = group.run(event.seq, () => applyWithCursor(host.replica, options.secrets, [event], effects)) ?? [];
      if (outcome === undefined) return; // an earlier group was lost: the stream rewound, these come again
      tell(host, effects);
      report(event, outcome);
    }
  };
  const stream = connectRelayStream({
    url: options.url,
    channelId: options.channelId,
    deviceToken: options.deviceToken,
    ...(stored !== null ? { cursor: Number(stored) } : {}),
    durable: () => group.durable(),
    onEvent: (event) => handle([event]),
    // Everything already waiting, in the open group (one delivery, one savepoint at a time: see handle).
    onEvents: (events) => handle(events),
    // Events purged before we got them: the change feed has the truth, pull it.
    onGap: () => {
      host.syncNow();
    },
    ...(options.onStatus ? { onStatus: options.onStatus } : {}),
  });
  return {
    cursor: () => stream.cursor(),
    committed: () => stream.committed(),
    rewind: (cursor) => stream.rewind(cursor),
    close: async () => {
      stopPruning();
      // What is applied commits first, so the stream's last ack covers it.
      group.commit();
      group.close();
      await stream.close();
    },
  };
}
