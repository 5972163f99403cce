/**
 * The rule evaluator: one rule against one booking, given the facts read from the replica. Pure: the
 * facts (slot room, the customer's earlier completed bookings, "now") are gathered by facts.ts, so the
 * live runner and the preview over history evaluate exactly alike.
 */
import type { BookingView, RuleConditions, RuleInput } from '../../../shared/contract/types.ts';
import { firstStartOf, localDayAndTime } from '../bookings/front-desk.ts';

/** What the replica says about one booking's surroundings. */
export interface RuleFacts {
  /** The instant lead time is measured from (live: now; preview: the booking's creation). */
  now: number;
  timeZone: string;
  /** The slot's room, or null when the rule does not ask (noOverlap absent) or it was not read. */
  slot: SlotRoom | null;
  /** The customer's COMPLETED bookings created before this one. */
  completedBefore: number;
}

export interface SlotRoom {
  /** Capacity of the availability rule the start falls in; null when no rule covers it. */
  capacity: number | null;
  /** Places held by the overlapping bookings counted (CONFIRMED and other PENDING, live). */
  used: number;
  quantity: number;
}

/** One condition as checked: its field name in the rule's JSON, whether it held, and what was found. */
export interface RuleCheck {
  condition: keyof RuleConditions | 'offeringIds' | 'approve';
  ok: boolean;
  /** Compact and language-neutral (field names and numbers), e.g. "maxRiskScore 12≤30". */
  detail: string;
}

export interface RuleVerdict {
  matched: boolean;
  checks: RuleCheck[];
}

export type RuleLike = Pick<RuleInput, 'offeringIds' | 'conditions'>;

/** True when the slot keeps room for the booking (unknown capacity: no). */
export function hasRoom(slot: SlotRoom): boolean {
  return slot.capacity !== null && slot.quantity + slot.used <= slot.capacity;
}

/** Evaluates every condition the rule names (all are reported, so the UI can show why). */
export function evaluateRule(rule: RuleLike, booking: BookingView, facts: RuleFacts): RuleVerdict {
  const c = rule.conditions;
  const checks: RuleCheck[] = [];
  const add = (condition: RuleCheck['condition'], ok: boolean, detail: string): void => {
    checks.push({ condition, ok, detail });
  };
  if (rule.offeringIds && rule.offeringIds.length > 0) add('offeringIds', rule.offeringIds.includes(booking.offeringId), `offeringIds ${booking.offeringId}`);
  if (c.maxRiskScore !== undefined) {
    const risk = booking.riskScore;
    add('maxRiskScore', risk !== null && risk <= c.maxRiskScore, `maxRiskScore ${risk ?? '?'}≤${c.maxRiskScore}`);
  }
  if (c.notHeld) add('notHeld', booking.riskReviewStatus !== 'HELD', `notHeld ${booking.riskReviewStatus ?? 'NONE'}`);
  if (c.noOverlap) {
    const slot = facts.slot;
    add('noOverlap', slot !== null && hasRoom(slot), slot === null ? 'noOverlap ?' : `noOverlap ${slot.quantity}+${slot.used}≤${slot.capacity ?? '?'}`);
  }
  const start = firstStartOf(booking);
  const lead = start === null ? null : (Date.parse(start) - facts.now) / 3_600_000;
  const hours = (h: number): string => String(Math.round(h * 10) / 10);
  if (c.minLeadHours !== undefined) add('minLeadHours', lead !== null && lead >= c.minLeadHours, `minLeadHours ${lead === null ? '?' : hours(lead)}≥${c.minLeadHours}`);
  if (c.maxLeadHours !== undefined) add('maxLeadHours', lead !== null && lead <= c.maxLeadHours, `maxLeadHours ${lead === null ? '?' : hours(lead)}≤${c.maxLeadHours}`);
  if (c.maxTotalCents !== undefined) add('maxTotalCents', booking.totalCents <= c.maxTotalCents, `maxTotalCents ${booking.totalCents}≤${c.maxTotalCents}`);
  // Returning customer or allow-list: when both are named, either one is enough (one check each, OR-ed).
  const returning = c.minCompletedBookings !== undefined ? facts.completedBefore >= c.minCompletedBookings : null;
  const email = booking.customer.email.toLowerCase();
  const allowed = c.allowList ? c.allowList.some((entry) => entry.toLowerCase() === email || entry === booking.customer.id) : null;
  const customerOk = returning === true || allowed === true;
  if (c.minCompletedBookings !== undefined) add('minCompletedBookings', customerOk, `minCompletedBookings ${facts.completedBefore}≥${c.minCompletedBookings}`);
  if (c.allowList) add('allowList', customerOk, `allowList ${allowed ? 'yes' : 'no'}`);
  if (c.weekdays || c.startTimeFrom !== undefined || c.startTimeTo !== undefined) {
    const local = start === null ? null : localDayAndTime(start, facts.timeZone);
    if (c.weekdays) add('weekdays', local !== null && c.weekdays.includes(local.day), `weekdays ${local?.day ?? '?'}∈${c.weekdays.join(',')}`);
    if (c.startTimeFrom !== undefined) add('startTimeFrom', local !== null && local.time >= c.startTimeFrom, `startTimeFrom ${local?.time ?? '?'}≥${c.startTimeFrom}`);
    if (c.startTimeTo !== undefined) add('startTimeTo', local !== null && local.time < c.startTimeTo, `startTimeTo ${local?.time ?? '?'}<${c.startTimeTo}`);
  }
  return { matched: checks.every((k) => k.ok), checks };
}

/** The checks as one line: "maxRiskScore 12≤30 · notHeld NONE · …". */
export function describeChecks(checks: readonly RuleCheck[]): string {
  return checks.map((k) => k.detail).join(' · ');
}
