/**
 * The rules feature's slice of the contract's handlers (`rules.*`). A change to a rule (add, update,
 * switch on, resume, import) runs the rules over the bookings still pending before it answers, so
 * `rules add` from a script has queued its approvals by the time it exits (`sync` sends them).
 */
import type { ContractHandlers } from '../../../shared/contract/schemas.ts';
import { ruleFormatVersion, type RulesState, type RulesSummary } from '../../../shared/contract/types.ts';
import { localDayAndTime } from '../bookings/front-desk.ts';
import { PREVIEW_DEFAULT_DAYS, previewRule } from './preview.ts';
import type { RuleRunner, RulesHost } from './runner.ts';
import { addRule, getRule, isPaused, listRules, removeRule, ruleInputOf, ruleView, setPaused, setRuleEnabled, updateRule } from './store.ts';

type RulesMethods = 'rules.list' | 'rules.add' | 'rules.update' | 'rules.remove' | 'rules.setEnabled' | 'rules.setPaused' | 'rules.preview' | 'rules.export' | 'rules.import' | 'rules.summary';
export type RulesHandlers = Pick<ContractHandlers, RulesMethods>;

export function rulesHandlers(host: RulesHost, runner: RuleRunner): RulesHandlers {
  const { replica } = host;
  const today = (): string => localDayAndTime(new Date().toISOString(), host.tenant()?.timezone ?? 'UTC').date;
  const state = (): RulesState => {
    const day = today();
    return { paused: isPaused(replica), writable: host.session().writable, rules: listRules(replica).map((r) => ruleView(replica, r, day)) };
  };
  /** After a change: tell the UI, then evaluate the bookings still pending under the new revision. */
  const changed = async (): Promise<void> => {
    host.notifyChanged(['rules']);
    await runner.runAll();
  };
  return {
    'rules.list': () => state(),
    'rules.add': async (i) => {
      const rule = addRule(replica, i.rule);
      await changed();
      return ruleView(replica, getRule(replica, rule.id), today());
    },
    'rules.update': async (i) => {
      const rule = updateRule(replica, i.id, i.rule);
      await changed();
      return ruleView(replica, getRule(replica, rule.id), today());
    },
    'rules.remove': (i) => {
      const removed = removeRule(replica, i.id);
      if (removed) host.notifyChanged(['rules']);
      return { removed };
    },
    'rules.setEnabled': async (i) => {
      const rule = setRuleEnabled(replica, i.id, i.enabled);
      await changed();
      return ruleView(replica, getRule(replica, rule.id), today());
    },
    'rules.setPaused': async (i) => {
      setPaused(replica, i.paused);
      await changed();
      return state();
    },
    'rules.preview': (i) => previewRule(host, i.rule, i.days ?? PREVIEW_DEFAULT_DAYS),
    'rules.export': () => ({ format: 'orkestr-console.rules', version: ruleFormatVersion, rules: listRules(replica).map(ruleInputOf) }),
    'rules.import': async (i) => {
      let removed = 0;
      replica.transaction(() => {
        if (i.replace) for (const r of listRules(replica)) removed += removeRule(replica, r.id) ? 1 : 0;
        for (const rule of i.document.rules) addRule(replica, rule);
      });
      await changed();
      return { added: i.document.rules.length, removed };
    },
    'rules.summary': (i) => rulesSummary(host, i.days ?? 30),
  };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const m = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return Math.round(m * 10) / 10;
}

/**
 * What the rules did over the last `days` days, for Insights: approvals (not undone) and flags, and the
 * response time they gained — the median minutes from a booking's creation to a person's approval
 * (this console's approvals; without any, the server's CONFIRMED bookings no rule approved, creation to
 * last change), minus the same for the rules' approvals, times the rules' approvals.
 */
export function rulesSummary(host: Pick<RulesHost, 'replica'>, days: number, now = Date.now()): RulesSummary {
  const from = new Date(now - days * 86_400_000).toISOString();
  const { replica } = host;
  const runs = replica
    .stmt(
      `SELECT r.outcome AS outcome, (julianday(r.at) - julianday(b.created_at)) * 1440 AS minutes
         FROM rule_runs r LEFT JOIN outbox i ON i.id = r.intent_id LEFT JOIN bookings b ON b.id = r.booking_id
        WHERE r.outcome IN ('approved','flagged') AND r.at >= ? AND COALESCE(i.state, '') <> 'discarded'`,
    )
    .all(from) as Array<{ outcome: string; minutes: number | null }>;
  const human = replica
    .stmt(
      `SELECT (julianday(i.created_at) - julianday(b.created_at)) * 1440 AS minutes
         FROM outbox i JOIN bookings b ON b.id = i.target_id
        WHERE i.kind = 'booking.approve' AND i.idempotency_key NOT LIKE 'rule-approve-%' AND i.state <> 'discarded' AND i.created_at >= ?`,
    )
    .all(from) as Array<{ minutes: number | null }>;
  // Without approvals made on this console, the server's own record stands in: CONFIRMED bookings no
  // rule approved, from creation to their last change (for a CONFIRMED booking, normally the approval).
  const people =
    human.length > 0
      ? human
      : (replica
          .stmt(
            `SELECT (julianday(b.updated_at) - julianday(b.created_at)) * 1440 AS minutes FROM bookings b
              WHERE b.status = 'CONFIRMED' AND b.created_at >= ?
                AND NOT EXISTS (SELECT 1 FROM rule_runs r WHERE r.booking_id = b.id AND r.outcome = 'approved')`,
          )
          .all(from) as Array<{ minutes: number | null }>);
  const approvedRuns = runs.filter((r) => r.outcome === 'approved');
  const ruleMedian = median(approvedRuns.map((r) => r.minutes).filter((m): m is number => m !== null).map((m) => Math.max(0, m)));
  const humanMedian = median(people.map((r) => r.minutes).filter((m): m is number => m !== null).map((m) => Math.max(0, m)));
  return {
    days,
    approved: approvedRuns.length,
    flagged: runs.length - approvedRuns.length,
    humanMedianMinutes: humanMedian,
    ruleMedianMinutes: ruleMedian,
    minutesGained: humanMedian === null || ruleMedian === null ? null : Math.round(Math.max(0, humanMedian - ruleMedian) * approvedRuns.length),
  };
}
