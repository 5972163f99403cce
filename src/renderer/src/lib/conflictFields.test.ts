import { describe, expect, it } from 'vitest';
import { translator } from '../i18n/translate.ts';
import { compareRecords, conflictReason, conflictTitle } from './conflictFields.ts';

const t = translator('en', 'en-US');
const ctx = { t, locale: 'en-US', tz: 'America/New_York', currency: 'USD' };

const local = {
  id: 'bk_1',
  status: 'CONFIRMED',
  serverStatus: 'PENDING',
  syncState: 'pending',
  offeringId: 'off_1',
  offeringTitle: 'Studio A',
  customer: { id: 'cus_1', name: 'Ana Ruiz', email: 'ana@example.com', timezone: null },
  items: [{ id: 'it_1', offeringId: 'off_1', startsAt: '2026-03-10T14:00:00Z', endsAt: '2026-03-10T15:00:00Z', quantity: 1, priceCents: 5000 }],
  payments: [{ id: 'pay_1', amountCents: 5000, currency: 'USD', status: 'AUTHORIZED', createdAt: '2026-03-01T00:00:00Z' }],
  totalCents: 5000,
  currency: 'USD',
  notes: '',
  cancelReason: null,
};
const server = { ...local, status: 'CANCELLED', version: 4, cancelReason: 'customer_request: moved away', payments: [{ ...local.payments[0], status: 'REFUNDED' }] };

describe('compareRecords (Needs attention)', () => {
  it('shows status, customer, slot in the business zone, total and payment; hides internal fields', () => {
    const rows = compareRecords('booking.approve', local, server, ctx);
    const keys = rows.map((r) => r.key);
    expect(keys).toEqual(['status', 'customer', 'offering', 'slot', 'total', 'payment', 'cancelReason']);
    const byKey = Object.fromEntries(rows.map((r) => [r.key, r]));
    expect(byKey['status']).toMatchObject({ asked: 'Confirmed', server: 'Cancelled', differs: true });
    expect(byKey['customer']).toMatchObject({ asked: 'Ana Ruiz', server: 'Ana Ruiz', differs: false });
    // 14:00Z is 10:00 in New York (EDT on 10 March 2026).
    expect(byKey['slot']!.asked).toMatch(/10:00/);
    expect(byKey['slot']!.label).toContain('America/New_York');
    expect(byKey['total']!.asked).toBe('$50.00');
    expect(byKey['payment']).toMatchObject({ asked: 'Authorised · $50.00', server: 'Refunded · $50.00', differs: true });
    expect(byKey['cancelReason']).toMatchObject({ asked: '—', server: 'Customer asked to cancel: moved away' });
    const text = JSON.stringify(rows);
    for (const hidden of ['serverStatus', 'syncState', 'pending', 'bk_1', 'cus_1', 'pay_1', 'off_1']) expect(text).not.toContain(hidden);
  });

  it('has no server column values when the server sent nothing', () => {
    const rows = compareRecords('booking.cancel', local, null, ctx);
    expect(rows.every((r) => r.server === null && !r.differs)).toBe(true);
  });

  it('compares offerings and coupons by their own fields', () => {
    const o = compareRecords('offering.patch', { title: 'A', status: 'PUBLISHED', basePriceCents: 1000, currency: 'USD', syncState: 'pending' }, { title: 'A', status: 'ARCHIVED', basePriceCents: 1000, currency: 'USD', version: 2 }, ctx);
    expect(o.map((r) => [r.key, r.differs])).toEqual([
      ['title', false],
      ['status', true],
      ['price', false],
    ]);
    const c = compareRecords('coupon.patch', { code: 'SPRING', kind: 'PERCENT', amount: 10, active: true }, { code: 'SPRING', kind: 'PERCENT', amount: 10, active: false, deletedAt: '2026-01-01T00:00:00Z' }, ctx);
    expect(c.find((r) => r.key === 'active')).toMatchObject({ asked: 'Active', server: 'Inactive', differs: true });
    expect(c.find((r) => r.key === 'deleted')).toMatchObject({ asked: '—', server: 'Yes', differs: true });
  });

  it('titles the card by the customer and offering, not by raw ids', () => {
    expect(conflictTitle('booking.approve', local, server, t, 'Approve booking bk_1')).toBe('Approve the booking of Ana Ruiz (Studio A)');
    expect(conflictTitle('coupon.delete', null, { code: 'SPRING' }, t, 'x')).toBe('Delete the coupon SPRING');
    expect(conflictTitle('booking.approve', null, null, t, 'Approve booking bk_1')).toBe('Approve booking bk_1');
    expect(conflictTitle('booking.cancel', { customer: { name: 'Bo' } }, null, t, 'x')).toBe('Decline the booking of Bo');
  });

  it('explains known refusals in the user language, else shows the server message', () => {
    expect(conflictReason('BOOKING_NOT_PENDING', 'Booking bk_1 is CANCELLED', server, t)).toBe('The server no longer has this booking as pending (it is cancelled there), so it cannot be approved.');
    expect(conflictReason('SOMETHING_NEW', 'Server says no', server, t)).toBe('Server says no');
    expect(conflictReason('BOOKING_NOT_PENDING', 'x', server, translator('es'))).toContain('cancelada');
  });
});
