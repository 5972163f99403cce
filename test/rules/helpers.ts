/**
 * Helpers of the approval-rule tests: the server's bookings and schedule read over HTTP, and an
 * independent statement of "the slot keeps room" (not the core's code), so the tests check the
 * runner against the rule's meaning rather than against itself.
 */
import type { SandboxFixture } from '../support/sandbox.ts';

export interface ServerBooking {
  id: string;
  status: string;
  offeringId: string;
  riskScore: number | null;
  riskReviewStatus: string | null;
  totalCents: number;
  createdAt: string;
  customer: { id: string; email: string };
  items: Array<{ id: string; offeringId: string; startsAt: string; endsAt: string; quantity: number }>;
}

interface ServerRule {
  dayOfWeek: number;
  startTime: string;
  endTime: string;
  capacity: number;
  validFrom: string | null;
  validUntil: string | null;
}

export async function serverBookings(s: SandboxFixture, status: string): Promise<ServerBooking[]> {
  return s.listAll<ServerBooking>(`/api/bookings?status=${status}`);
}

export async function availabilityOf(s: SandboxFixture, offeringId: string): Promise<ServerRule[]> {
  const body = await s.getJson<{ rules: ServerRule[] }>(`/api/availability?offeringId=${offeringId}`);
  return body.rules;
}

function local(iso: string, timeZone: string): { day: number; time: string; date: string } {
  const f = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const parts = Object.fromEntries(f.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return { day: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts['weekday']!), time: `${parts['hour']}:${parts['minute']}`, date: `${parts['year']}-${parts['month']}-${parts['day']}` };
}

/** The capacity of the weekly rule a start falls in (local time of the business), or null. */
export function capacityAt(rules: readonly ServerRule[], startsAt: string, timeZone: string): number | null {
  const l = local(startsAt, timeZone);
  const r = rules.find((x) => x.dayOfWeek === l.day && x.startTime <= l.time && l.time < x.endTime && (!x.validFrom || x.validFrom <= l.date) && (!x.validUntil || l.date <= x.validUntil));
  return r ? r.capacity : null;
}

/**
 * True when `b`'s quantity plus every other CONFIRMED or PENDING booking overlapping one of its items
 * stays within the slot's capacity, for every item.
 */
export function keepsRoom(b: ServerBooking, holders: readonly ServerBooking[], rules: readonly ServerRule[], timeZone: string): boolean {
  if (b.items.length === 0) return false;
  return b.items.every((item) => {
    const capacity = capacityAt(rules, item.startsAt, timeZone);
    if (capacity === null) return false;
    let used = 0;
    for (const other of holders) {
      if (other.id === b.id) continue;
      for (const o of other.items) if (o.offeringId === item.offeringId && o.startsAt < item.endsAt && o.endsAt > item.startsAt) used += o.quantity;
    }
    return item.quantity + used <= capacity;
  });
}

/**
 * How many times the server approved each booking (its effects log: one row per state change made
 * under an idempotency key; a replayed key changes nothing). `ruleOnly`: under a rule's key.
 */
export async function approvals(s: SandboxFixture, ruleOnly = false): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const e of await s.effects()) {
    if (e.kind !== 'booking.approve' || (ruleOnly && !e.idempotencyKey.startsWith('rule-approve-'))) continue;
    out.set(e.targetId, (out.get(e.targetId) ?? 0) + 1);
  }
  return out;
}
