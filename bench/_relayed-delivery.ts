// One signed booking.confirmed delivery as the relay hands it to the console, numbered `i`: the
// shared input of the relay-link diagnostics (bench/_relay-apply-probe.ts, bench/_tell-probe.ts).
import { createHmac, randomUUID } from 'node:crypto';

export interface RelayedDelivery {
  seq: number;
  deliveryId: string;
  headers: Record<string, string>;
  body: Buffer;
}

export function relayedDelivery(i: number, secret: string): RelayedDelivery {
  const id = `bkg_bench${String(i).padStart(8, '0')}`;
  const at = new Date(Date.UTC(2026, 11, 1, 9) + i * 3_600_000).toISOString();
  const customer = { id: `cus_${i}`, name: `Customer ${i}`, email: `c${i}@example.com`, timezone: 'Europe/Madrid' };
  const items = [{ id: `bki_${i}`, offeringId: 'off_bench', startsAt: at, endsAt: at, quantity: 1, priceCents: 1000 }];
  const booking = { id, status: 'CONFIRMED', offeringId: 'off_bench', offeringTitle: 'Bench Room', customer, items, payments: [], totalCents: 1000, currency: 'USD', createdAt: at, updatedAt: at, version: 2 };
  const body = Buffer.from(JSON.stringify({ event: 'booking.confirmed', data: { bookingId: id, status: 'CONFIRMED', version: 2, updatedAt: at, booking } }));
  const deliveryId = `dlv_${randomUUID()}`;
  return { seq: i + 1, deliveryId, headers: { 'x-orkestr-signature': createHmac('sha256', secret).update(body).digest('hex'), 'x-orkestr-delivery-id': deliveryId }, body };
}
