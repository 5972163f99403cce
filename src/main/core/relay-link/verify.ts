import { createHmac, hash, timingSafeEqual } from 'node:crypto';

/**
 * Webhook authenticity, checked on the exact bytes Orkestr signed (never on re-serialised JSON).
 * During a secret rotation two secrets are accepted: the current and the previous one.
 */
export type Verdict =
  | { ok: true; secretIndex: number }
  | { ok: false; reason: 'missing-signature' | 'malformed-signature' | 'bad-signature' };

export function verifySignature(body: Buffer, signatureHeader: string | undefined, secrets: readonly string[]): Verdict {
  if (!signatureHeader) return { ok: false, reason: 'missing-signature' };
  const signature = signatureHeader.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(signature)) return { ok: false, reason: 'malformed-signature' };
  const presented = Buffer.from(signature, 'hex');
  let matched = -1;
  // Compare against every secret (no early exit) so timing does not tell which one matched.
  secrets.forEach((secret, index) => {
    const expected = createHmac('sha256', secret).update(body).digest();
    if (timingSafeEqual(expected, presented) && matched === -1) matched = index;
  });
  return matched >= 0 ? { ok: true, secretIndex: matched } : { ok: false, reason: 'bad-signature' };
}

/** The signature covers only the body, so a replay under a new delivery id still verifies: dedupe by body too. */
export function bodyDigest(body: Buffer): string {
  // One-shot: no Hash object per delivery (hashing is a measurable part of a webhook's apply).
  return hash('sha256', body, 'hex');
}

export const webhookEvents = [
  'booking.confirmed',
  'booking.cancelled',
  'booking.rescheduled',
  'dispute.opened',
  'review.created',
  'tenant.kyb_verified',
  'webhook.test',
] as const;
export type WebhookEventName = (typeof webhookEvents)[number];

export interface WebhookEnvelope {
  event: WebhookEventName;
  data: Record<string, unknown>;
}

/** Parses a verified body; returns a reason instead of throwing so the rejection can be logged. */
export function parseEnvelope(body: Buffer): { ok: true; envelope: WebhookEnvelope } | { ok: false; reason: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null) return { ok: false, reason: 'body is not a JSON object' };
  const { event, data } = parsed as { event?: unknown; data?: unknown };
  if (typeof event !== 'string' || !(webhookEvents as readonly string[]).includes(event)) return { ok: false, reason: `unknown event ${JSON.stringify(event)}` };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { ok: false, reason: 'data is not an object' };
  return { ok: true, envelope: { event: event as WebhookEventName, data: data as Record<string, unknown> } };
}
