/**
 * The rule runner: evaluates the enabled rules against PENDING bookings that no rule revision has
 * seen yet, and acts. It runs when bookings reach the replica (after a pull or poll, and after a
 * webhook batch: the core schedules it on every `bookings` change) and when a rule changes (a new
 * revision has seen nothing). Each (rule revision, booking) is evaluated once and recorded in
 * `rule_runs` with what was checked, so a rule never acts twice and the UI can say why.
 *
 * An approval is a normal outbox intent (undo window, conflicts, retries) whose idempotency key is
 * derived from the booking, so two consoles on one tenant send the same key and the server approves
 * once (and a 409 "already confirmed" converges in the pusher, it is not a conflict). Nothing runs
 * while the global pause is on or while the key lacks `write`.
 */
import type { ActivityItem, BookingView, ContractEvents } from '../../../shared/contract/types.ts';
import { ContractError } from '../../../shared/contract/types.ts';
import { coreMessage } from '../../../shared/contract/messages.ts';
import { localDayAndTime } from '../bookings/front-desk.ts';
import type { BookingsTable } from '../db/schema.ts';
import type { Replica } from '../replica/replica.ts';
import { describeChecks, evaluateRule, type RuleCheck } from './evaluate.ts';
import { SlotRooms, completedBefore, liveHolders } from './facts.ts';
import { isPaused, listRules, type StoredRule } from './store.ts';

type Table = ContractEvents['data.changed']['tables'][number];

/** What the runner needs from the core (ConsoleCore has all of it). */
export interface RulesHost {
  readonly replica: Replica;
  bookingViews(rows: BookingsTable[]): BookingView[];
  /** Queues an approval through the outbox like a person's, under the given idempotency key. */
  approve(id: string, idempotencyKey?: string): string | null;
  session(): { writable: boolean };
  tenant(): { timezone: string } | null;
  notifyChanged(tables: Table[]): void;
  notifyActivity(item: ActivityItem, options?: { changed?: boolean }): void;
}

/** The idempotency key of a rule's approval: the same on every console of the tenant. */
export function ruleApprovalKey(bookingId: string): string {
  return `rule-approve-${bookingId}`;
}

/** Bookings evaluated per pass; a longer queue continues in the next turn of the event loop. */
export const RUN_BATCH = 100;

const pendingUnseen = `
  SELECT b.* FROM (
    SELECT b.* FROM bookings b WHERE b.status = 'PENDING' AND b.id NOT IN (SELECT booking_id FROM booking_overlay)
    UNION ALL SELECT b.* FROM booking_overlay o JOIN bookings b ON b.id = o.booking_id WHERE o.status = 'PENDING'
  ) b
  WHERE EXISTS (SELECT 1 FROM rules r WHERE r.enabled = 1
                AND NOT EXISTS (SELECT 1 FROM rule_runs x WHERE x.rule_id = r.id AND x.revision = r.revision AND x.booking_id = b.id))
  ORDER BY b.created_at, b.id LIMIT ${RUN_BATCH}`;

export interface RunResult {
  evaluated: number;
  approved: number;
  flagged: number;
  capped: number;
  /** The pass stopped at RUN_BATCH bookings: more may be waiting. */
  more: boolean;
}

export class RuleRunner {
  readonly #host: RulesHost;
  #scheduled = false;
  #running = false;
  #closed = false;
  readonly #log: (line: string) => void;

  constructor(host: RulesHost, log: (line: string) => void = () => undefined) {
    this.#host = host;
    this.#log = log;
  }

  /** Runs soon (coalesced): many changes in one turn of the event loop make one pass. */
  schedule(): void {
    if (this.#scheduled || this.#running || this.#closed) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      if (!this.#closed) this.runNow();
    });
  }

  close(): void {
    this.#closed = true;
  }

  /**
   * Passes until every pending booking has been seen, yielding to the event loop between them (each
   * pass is one short synchronous block). A failure is logged, not thrown: the sync engine's hook must
   * not fail a pull.
   */
  async runAll(): Promise<RunResult> {
    const total: RunResult = { evaluated: 0, approved: 0, flagged: 0, capped: 0, more: false };
    for (let pass = 0; pass < 100_000 && !this.#closed; pass++) {
      let r: RunResult;
      try {
        r = this.runPending();
      } catch (error) {
        this.#log(`rules: a pass failed: ${error instanceof Error ? error.message : String(error)}`);
        break;
      }
      total.evaluated += r.evaluated;
      total.approved += r.approved;
      total.flagged += r.flagged;
      total.capped += r.capped;
      if (!r.more) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    return total;
  }

  /** runPending, with a failure logged instead of thrown (a scheduled pass). */
  runNow(): void {
    try {
      this.runPending();
    } catch (error) {
      this.#log(`rules: a pass failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** One pass over the PENDING bookings some enabled rule has not evaluated yet. */
  runPending(now = Date.now()): RunResult {
    const result: RunResult = { evaluated: 0, approved: 0, flagged: 0, capped: 0, more: false };
    if (this.#closed || this.#running) return result;
    const { replica } = this.#host;
    if (isPaused(replica) || !this.#host.session().writable) return result;
    const rules = listRules(replica).filter((r) => r.enabled);
    if (rules.length === 0) return result;
    this.#running = true;
    const activities: ActivityItem[] = [];
    let rows: BookingsTable[] = [];
    try {
      rows = replica.stmt(pendingUnseen).all() as BookingsTable[];
      if (rows.length === 0) return result;
      const timeZone = this.#host.tenant()?.timezone ?? 'UTC';
      const today = localDayAndTime(new Date(now).toISOString(), timeZone).date;
      const seen = replica.stmt('SELECT 1 FROM rule_runs WHERE rule_id = ? AND revision = ? AND booking_id = ?');
      const rooms = new SlotRooms(replica, timeZone, liveHolders);
      // One transaction for the pass: its approvals and records commit together, with one fsync.
      replica.transaction(() => {
        for (const view of this.#host.bookingViews(rows)) {
          for (const rule of rules) {
            if (view.status !== 'PENDING') break;
            if (seen.get(rule.id, rule.revision, view.id)) continue;
            result.evaluated++;
            const outcome = this.#act(rule, view, { now, timeZone, today, rooms }, activities);
            if (outcome === 'approved') {
              result.approved++;
              break;
            }
            if (outcome === 'flagged') result.flagged++;
            if (outcome === 'capped') result.capped++;
          }
        }
      });
    } finally {
      this.#running = false;
    }
    for (const item of activities) this.#host.notifyActivity(item, { changed: false });
    this.#host.notifyChanged(activities.length > 0 ? ['rules', 'activity'] : ['rules']);
    result.more = rows.length >= RUN_BATCH;
    if (result.more) this.schedule();
    return result;
  }

  /** Evaluates one rule on one booking and records the outcome, in one transaction with the approval. */
  #act(rule: StoredRule, view: BookingView, pass: { now: number; timeZone: string; today: string; rooms: SlotRooms }, activities: ActivityItem[]): 'approved' | 'flagged' | 'capped' | 'skipped' {
    const { replica } = this.#host;
    const { now, timeZone, today } = pass;
    const d = rule.definition;
    const verdict = evaluateRule(d, view, {
      now,
      timeZone,
      slot: d.conditions.noOverlap ? pass.rooms.of(view) : null,
      completedBefore: d.conditions.minCompletedBookings !== undefined ? completedBefore(replica, view.customer.id, view.createdAt) : 0,
    });
    const record = (outcome: string, checks: readonly RuleCheck[], intentId: string | null): void => {
      replica
        .stmt('INSERT OR IGNORE INTO rule_runs (rule_id, revision, booking_id, outcome, reasons, intent_id, rule_name, day, at) VALUES (?,?,?,?,?,?,?,?,?)')
        .run(rule.id, rule.revision, view.id, outcome, JSON.stringify(checks), intentId, d.name, today, new Date(now).toISOString());
    };
    return replica.transaction(() => {
      if (!verdict.matched) {
        record('skipped', verdict.checks, null);
        return 'skipped';
      }
      if (d.dailyCap != null && actedToday(replica, rule.id, today) >= d.dailyCap) {
        record('capped', verdict.checks, null);
        return 'capped';
      }
      const met = describeChecks(verdict.checks);
      if (d.action === 'flag') {
        record('flagged', verdict.checks, null);
        activities.push(
          replica.addActivity({ event: 'rule.flagged', summary: `Flagged by rule "${d.name}": ${met}`, message: coreMessage('activity.ruleFlagged', { rule: d.name, conditions: met }), bookingId: view.id }),
        );
        return 'flagged';
      }
      let intentId: string | null;
      try {
        intentId = this.#host.approve(view.id, ruleApprovalKey(view.id));
      } catch (error) {
        if (!(error instanceof ContractError)) throw error;
        record('skipped', [...verdict.checks, { condition: 'approve', ok: false, detail: `approve refused: ${error.message}` }], null);
        return 'skipped';
      }
      record('approved', verdict.checks, intentId);
      activities.push(
        replica.addActivity({ event: 'rule.approved', summary: `Approved by rule "${d.name}": ${met}`, message: coreMessage('activity.ruleApproved', { rule: d.name, conditions: met }), bookingId: view.id }),
      );
      return 'approved';
    });
  }
}

/** What the rule did on the business's day `day` (undone approvals do not count against the cap). */
export function actedToday(replica: Replica, ruleId: string, day: string): number {
  const row = replica
    .stmt(
      `SELECT count(*) AS n FROM rule_runs r LEFT JOIN outbox i ON i.id = r.intent_id
        WHERE r.rule_id = ? AND r.day = ? AND r.outcome IN ('approved','flagged') AND COALESCE(i.state, '') <> 'discarded'`,
    )
    .get(ruleId, day) as { n: number };
  return row.n;
}
