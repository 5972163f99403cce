import { connectRelayStream, type RelayEvent, type RelayStream, type RelayStreamStatus } from '../../../relay/client.ts';
import type { ActivityItem, ContractEvents } from '../../../shared/contract.ts';
import type { Replica } from '../replica.ts';
import type { RemoteBooking } from '../remote-types.ts';
import { bodyDigest, parseEnvelope, verifySignature, type WebhookEnvelope } from './verify.ts';

type Table = ContractEvents['data.changed']['tables'][number];

/** What the link needs from the core: the replica and the way to tell the UI. */
export interface RelayLinkHost {
  replica: Replica;
  notifyChanged(tables: Table[]): void;
  notifyActivity(item: ActivityItem): void;
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

export type RelayOutcome = { applied: true; event: string } | { applied: false; reason: string };

const cursorKey = 'relay.cursor';

function text(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}

function summaryFor(envelope: WebhookEnvelope): { summary: string; bookingId: string | null } {
  const d = envelope.data;
  const booking = d['booking'] as { customer?: { name?: string }; offeringTitle?: string } | undefined;
  const who = booking?.customer?.name ?? text(d['customerId'], 'a customer');
  const what = text(d['offeringTitle'], booking?.offeringTitle ?? '');
  const bookingId = text(d['bookingId']) || null;
  switch (envelope.event) {
    case 'booking.confirmed':
      return { summary: `Booking confirmed: ${who}${what ? ` · ${what}` : ''}`, bookingId };
    case 'booking.cancelled':
      return { summary: `Booking cancelled by ${text(d['cancelledBy'], 'someone')}: ${who}${typeof d['refundPercent'] === 'number' ? ` · refund ${d['refundPercent']}%` : ''}`, bookingId };
    case 'booking.rescheduled':
      return { summary: `Booking rescheduled: ${who}${what ? ` · ${what}` : ''}`, bookingId };
    case 'dispute.opened':
      return { summary: `Dispute opened: ${text(d['reason'], 'no reason given')}`, bookingId };
    case 'review.created':
      return { summary: `New ${String(d['rating'] ?? '?')}-star review`, bookingId: null };
    case 'tenant.kyb_verified':
      return { summary: 'Business verified (KYB)', bookingId: null };
    case 'webhook.test':
      return { summary: `Test ping: ${text(d['message'], 'ping')}`, bookingId: null };
  }
}

/**
 * Applies one relayed delivery to the replica. Verification happens on the exact bytes; dedupe by
 * delivery id and by body hash; the facts, the inbox row, the activity entry and the cursor are
 * written in ONE transaction, so a crash applies a delivery either wholly or not at all.
 * Rejections are logged (with the reason) and acknowledged: a forged delivery must not block the stream.
 */
export function applyRelayedDelivery(host: RelayLinkHost, secrets: readonly string[], event: Pick<RelayEvent, 'seq' | 'deliveryId' | 'headers' | 'body'>): RelayOutcome {
  const { replica } = host;
  const reject = (reason: string, eventName: string | null = null): RelayOutcome => {
    replica.transaction(() => {
      replica.stmt('INSERT INTO relay_rejections (at, seq, delivery_id, event, reason, body_sha256) VALUES (?,?,?,?,?,?)').run(
        new Date().toISOString(),
        event.seq,
        event.deliveryId,
        eventName,
        reason,
        bodyDigest(event.body),
      );
      replica.setMeta(cursorKey, String(event.seq));
    });
    return { applied: false, reason };
  };

  const verdict = verifySignature(event.body, event.headers['x-orkestr-signature'], secrets);
  if (!verdict.ok) return reject(verdict.reason);
  const parsed = parseEnvelope(event.body);
  if (!parsed.ok) return reject(parsed.reason);
  const { envelope } = parsed;
  const deliveryId = event.deliveryId ?? event.headers['x-orkestr-delivery-id'];
  if (!deliveryId) return reject('missing delivery id', envelope.event);

  const tables = new Set<Table>(['activity']);
  let needsPull = false;
  const activity = replica.transaction((): ActivityItem | null => {
    replica.setMeta(cursorKey, String(event.seq));
    if (!replica.recordDelivery({ deliveryId, bodySha256: bodyDigest(event.body), event: envelope.event })) return null;
    const d = envelope.data;
    switch (envelope.event) {
      case 'booking.confirmed':
      case 'booking.cancelled':
      case 'booking.rescheduled': {
        const booking = d['booking'] as RemoteBooking | undefined;
        if (booking && typeof booking === 'object') replica.applyRemoteBooking(booking);
        else needsPull = true;
        tables.add('bookings');
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
        tables.add('disputes');
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
        tables.add('offerings');
        break;
      case 'tenant.kyb_verified': {
        const tenant = JSON.parse(replica.getMeta('tenant') ?? '{}') as Record<string, unknown>;
        replica.setMeta('tenant', JSON.stringify({ ...tenant, kybStatus: 'VERIFIED', kybVerifiedAt: text(d['verifiedAt']) }));
        break;
      }
      case 'webhook.test':
        break;
    }
    const { summary, bookingId } = summaryFor(envelope);
    return replica.addActivity({ event: envelope.event, summary, bookingId, id: `act_${deliveryId}` });
  });
  if (!activity) return { applied: false, reason: 'duplicate' };
  host.notifyActivity(activity);
  host.notifyChanged([...tables]);
  if (needsPull) host.syncNow();
  return { applied: true, event: envelope.event };
}

/** Keeps the console connected to its relay channel; resumes from the replica's stored cursor. */
export function startRelayLink(host: RelayLinkHost, options: RelayLinkOptions): RelayStream {
  const stored = host.replica.getMeta(cursorKey);
  return connectRelayStream({
    url: options.url,
    channelId: options.channelId,
    deviceToken: options.deviceToken,
    ...(stored !== null ? { cursor: Number(stored) } : {}),
    onEvent: (event) => {
      const outcome = applyRelayedDelivery(host, options.secrets, event);
      if (!outcome.applied && outcome.reason !== 'duplicate') options.log?.(`relay: rejected seq ${event.seq}: ${outcome.reason}`);
    },
    // Events purged before we got them: the change feed has the truth, pull it.
    onGap: () => {
      host.syncNow();
    },
    ...(options.onStatus ? { onStatus: options.onStatus } : {}),
  });
}
