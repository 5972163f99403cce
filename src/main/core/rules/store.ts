/**
 * Rules kept in the replica (table `rules`, migration 0008_approval_rules): each row holds the rule
 * as the contract's JSON (RuleInput), its on/off switch and a revision that increases on every change
 * (a booking is evaluated once per rule revision). The global pause switch lives in `meta`.
 */
import { randomUUID } from 'node:crypto';
import { ContractError, ruleFormatVersion, type RuleInput, type RuleView } from '../../../shared/contract/types.ts';
import type { Replica } from '../replica/replica.ts';

export const pausedMeta = 'rules.paused';

export interface StoredRule {
  id: string;
  position: number;
  definition: RuleInput;
  enabled: boolean;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

interface RuleRow {
  id: string;
  position: number;
  name: string;
  definition: string;
  format_version: number;
  enabled: number;
  revision: number;
  created_at: string;
  updated_at: string;
}

/** What is stored: the rule without its switch (kept in its own column), in the current format. */
function canonical(rule: RuleInput): RuleInput {
  const { enabled: _enabled, ...rest } = rule;
  void _enabled;
  return { ...rest, version: ruleFormatVersion, offeringIds: rest.offeringIds ?? [], dailyCap: rest.dailyCap ?? null };
}

function fromRow(r: RuleRow): StoredRule {
  return { id: r.id, position: r.position, definition: JSON.parse(r.definition) as RuleInput, enabled: r.enabled === 1, revision: r.revision, createdAt: r.created_at, updatedAt: r.updated_at };
}

export function listRules(replica: Replica): StoredRule[] {
  return (replica.stmt('SELECT * FROM rules ORDER BY position, id').all() as RuleRow[]).map(fromRow);
}

export function getRule(replica: Replica, id: string): StoredRule {
  const row = replica.stmt('SELECT * FROM rules WHERE id = ?').get(id) as RuleRow | undefined;
  if (!row) throw new ContractError('NOT_FOUND', `No rule ${id} (see "rules list").`);
  return fromRow(row);
}

export function addRule(replica: Replica, rule: RuleInput): StoredRule {
  const id = `rul_${randomUUID()}`;
  const now = new Date().toISOString();
  replica.transaction(() => {
    const next = (replica.stmt('SELECT COALESCE(MAX(position), 0) + 1 AS p FROM rules').get() as { p: number }).p;
    replica
      .stmt('INSERT INTO rules (id, position, name, definition, format_version, enabled, revision, created_at, updated_at) VALUES (?,?,?,?,?,?,1,?,?)')
      .run(id, next, rule.name, JSON.stringify(canonical(rule)), ruleFormatVersion, rule.enabled === false ? 0 : 1, now, now);
  });
  return getRule(replica, id);
}

export function updateRule(replica: Replica, id: string, rule: RuleInput): StoredRule {
  const current = getRule(replica, id);
  replica.transaction(() => {
    replica
      .stmt('UPDATE rules SET name = ?, definition = ?, format_version = ?, enabled = ?, revision = revision + 1, updated_at = ? WHERE id = ?')
      .run(rule.name, JSON.stringify(canonical(rule)), ruleFormatVersion, (rule.enabled ?? current.enabled) ? 1 : 0, new Date().toISOString(), id);
  });
  return getRule(replica, id);
}

/** Switching a rule on or off is a change: it gets a new revision, so bookings still pending are evaluated again. */
export function setRuleEnabled(replica: Replica, id: string, enabled: boolean): StoredRule {
  const current = getRule(replica, id);
  if (current.enabled === enabled) return current;
  replica.transaction(() => replica.stmt('UPDATE rules SET enabled = ?, revision = revision + 1, updated_at = ? WHERE id = ?').run(enabled ? 1 : 0, new Date().toISOString(), id));
  return getRule(replica, id);
}

/** Removes the rule; what it did stays in `rule_runs` (and in the activity) for the record. */
export function removeRule(replica: Replica, id: string): boolean {
  return replica.transaction(() => replica.stmt('DELETE FROM rules WHERE id = ?').run(id).changes > 0);
}

export function isPaused(replica: Replica): boolean {
  return replica.getMeta(pausedMeta) === '1';
}

export function setPaused(replica: Replica, paused: boolean): void {
  replica.transaction(() => replica.setMeta(pausedMeta, paused ? '1' : null));
}

/** The rule as the contract shows it, with what it did today (the business's day) and in total. */
export function ruleView(replica: Replica, rule: StoredRule, today: string): RuleView {
  const counts = replica
    .stmt(
      `SELECT SUM(CASE WHEN r.day = ? THEN 1 ELSE 0 END) AS today, COUNT(*) AS total
         FROM rule_runs r LEFT JOIN outbox i ON i.id = r.intent_id
        WHERE r.rule_id = ? AND r.outcome IN ('approved','flagged') AND COALESCE(i.state, '') <> 'discarded'`,
    )
    .get(today, rule.id) as { today: number | null; total: number };
  const d = rule.definition;
  return {
    id: rule.id,
    name: d.name,
    offeringIds: d.offeringIds ?? [],
    conditions: d.conditions,
    action: d.action,
    dailyCap: d.dailyCap ?? null,
    enabled: rule.enabled,
    revision: rule.revision,
    createdAt: rule.createdAt,
    updatedAt: rule.updatedAt,
    today: counts.today ?? 0,
    total: counts.total,
  };
}

/** The rule as JSON again (export, the CLI's --json): enabled included. */
export function ruleInputOf(rule: StoredRule): RuleInput {
  return { ...rule.definition, enabled: rule.enabled };
}
