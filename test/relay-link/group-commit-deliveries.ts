// Signed booking.confirmed deliveries as the relay streams them, for group-commit.test.ts and its child.
import { createHmac } from 'node:crypto';

export const secret = 'whsec_group_commit';

export function delivery(seq: number): { seq: number; deliveryId: string; headers: Record<string, string>; body: Buffer } {
  const id = `bkg_group${String(seq).padStart(6, '0')}`;
  const at = new Date(Date.UTC(2026, 11, 1, 9) + seq * 3_600_000).toISOString();
  const booking = {
    id,
    status: 'CONFIRMED',
    offeringId: 'off_group',
    offeringTitle: 'Group Room',
    customer: { id: `cus_${seq}`, name: `Customer ${seq}`, email: `c${seq}@example.com` },
    items: [{ id: `bki_${seq}`, offeringId: 'off_group', startsAt: at, endsAt: at, quantity: 1, priceCents: 1000 }],
    payments: [],
    totalCents: 1000,
    currency: 'USD',
    createdAt: at,
    updatedAt: at,
    version: 2,
  };
  const body = Buffer.from(JSON.stringify({ event: 'booking.confirmed', data: { bookingId: id, status: 'CONFIRMED', version: 2, updatedAt: at, booking } }));
  const deliveryId = `dlv_group_${seq}`;
  return { seq, deliveryId, headers: { 'x-orkestr-signature': createHmac('sha256', secret).update(body).digest('hex'), 'x-orkestr-delivery-id': deliveryId }, body };
}

export const noEffects = (): { tables: Set<never>; ids: Set<string>; activities: never[]; needsPull: boolean } => ({ tables: new Set(), ids: new Set(), activities: [], needsPull: false });
