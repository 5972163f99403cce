/**
 * `orkestr-console rules …`: the approval rules of a replica, through the contract (dispatch.ts
 * validates every call with the contract's schemas; a bad rule is exit 2 with the field named).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { RuleInput, RulePreview, RuleView, RulesDocument, RulesState } from '../../../shared/contract/types.ts';
import { CliError, UsageError, stringOption, type Command, type ParsedArgs } from '../command.ts';
import { checkInput, numberArg, withContract, type Call } from '../contract.ts';

const actions = ['list', 'add', 'remove', 'pause', 'resume', 'preview', 'export', 'import'] as const;
type Action = (typeof actions)[number];

function actionOf(args: ParsedArgs): { action: Action; id: string | undefined } {
  const [action, id, ...extra] = args.positionals;
  if (!action) throw new UsageError(`give an action: ${actions.join(', ')}`);
  if (!(actions as readonly string[]).includes(action)) throw new UsageError(`unknown action "${action}" (one of ${actions.join(', ')})`);
  if (extra.length > 0) throw new UsageError(`unexpected "${extra.join(' ')}"`);
  if (action === 'remove' && !id) throw new UsageError('rules remove needs the rule id (see "rules list")');
  if (id && action !== 'remove' && action !== 'pause' && action !== 'resume') throw new UsageError(`rules ${action} takes no id, got "${id}"`);
  return { action: action as Action, id };
}

/** The JSON given with --file, or on stdin. */
async function readJson(args: ParsedArgs, what: string): Promise<unknown> {
  const file = stringOption(args, 'file');
  let text: string;
  if (file !== undefined) {
    if (!existsSync(file)) throw new UsageError(`--file ${file} does not exist`);
    text = readFileSync(file, 'utf8');
  } else {
    if (process.stdin.isTTY) throw new UsageError(`give the ${what} as JSON with --file FILE or on stdin`);
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    text = Buffer.concat(chunks).toString('utf8');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`the ${what} is not JSON (${file ?? 'stdin'}): ${(error as Error).message}`);
  }
}

function describeRule(r: RuleView): string {
  const scope = r.offeringIds.length ? `offerings ${r.offeringIds.join(',')}` : 'all offerings';
  const cap = r.dailyCap === null ? 'no cap' : `${r.today}/${r.dailyCap} today`;
  return `${r.id}  ${r.enabled ? 'on ' : 'off'}  ${r.action}  "${r.name}"  (${scope}; ${cap}; ${r.total} in total)  ${JSON.stringify(r.conditions)}`;
}

function printPreview(p: RulePreview): void {
  console.log(`last ${p.days} days (since ${p.from}): ${p.considered} booking(s) considered, ${p.matched} matched`);
  console.log(`  of those: ${p.cancelledByCustomer} later cancelled by the customer, ${p.disputed} disputed, ${p.overlapped} overlapped`);
  for (const i of p.items) {
    const marks = [i.cancelledByCustomer ? 'cancelled-by-customer' : '', i.disputed ? 'disputed' : '', i.overlapped ? 'overlapped' : ''].filter(Boolean).join(',');
    console.log(`  ${i.bookingId}  ${i.status}  ${i.startsAt ?? '-'}  risk ${i.riskScore ?? '?'}  ${i.customerName} · ${i.offeringTitle}${marks ? `  [${marks}]` : ''}`);
  }
}

export const rulesCommand: Command = {
  name: 'rules',
  summary: 'Approval rules: list, add, remove, pause/resume, preview over history, export/import (JSON).',
  usage:
    'rules list --db FILE [--json]\n' +
    '       rules add --db FILE [--file RULE.json | < RULE.json] [--json]\n' +
    '       rules remove <rule id> --db FILE [--json]\n' +
    '       rules pause [<rule id>] --db FILE [--json]      (no id: the global pause switch)\n' +
    '       rules resume [<rule id>] --db FILE [--json]\n' +
    '       rules preview --db FILE [--file RULE.json | < RULE.json] [--days N] [--json]\n' +
    '       rules export --db FILE\n' +
    '       rules import --db FILE [--file RULES.json | < RULES.json] [--replace] [--json]\n\n' +
    '  A rule is JSON (docs/rules.md), e.g.\n' +
    '    {"name": "Low-risk classes", "offeringIds": ["off_…"], "conditions": {"maxRiskScore": 30,\n' +
    '     "notHeld": true, "noOverlap": true, "minLeadHours": 2}, "action": "approve", "dailyCap": 100}\n' +
    '  add runs the rule at once over the bookings still pending: its approvals are queued in the\n' +
    '  replica and `sync --once` sends them. Exit 2 for a bad rule (the field is named), 1 for a failure.',
  allowPositionals: true,
  options: {
    db: { type: 'string' },
    file: { type: 'string' },
    days: { type: 'string' },
    replace: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(args) {
    const { action, id } = actionOf(args);
    const days = numberArg(args, 'days');
    if (days !== undefined && action !== 'preview') throw new UsageError('--days is for rules preview');
    // The contract's own validation, before the replica is opened: a bad rule is reported even without one.
    const given: Pick<ActionCall, 'rule' | 'document'> = {};
    if (action === 'add') given.rule = checkInput('rules.add', { rule: await readJson(args, 'rule') }).rule;
    if (action === 'preview') given.rule = checkInput('rules.preview', { rule: await readJson(args, 'rule'), days }, { days: '--days' }).rule;
    if (action === 'import') given.document = checkInput('rules.import', { document: await readJson(args, 'rules document') }).document;
    const json = args.values['json'] === true;
    return withContract(args, (call) => runAction(call, { action, id, ...given, days, json, replace: args.values['replace'] === true }));
  },
};

interface ActionCall {
  action: Action;
  id: string | undefined;
  /** The rule (add, preview) or rules document (import), already checked by the contract's schema. */
  rule?: RuleInput;
  document?: RulesDocument;
  days: number | undefined;
  json: boolean;
  replace: boolean;
}

/** One action: a contract call and its answer printed (as JSON with --json). */
async function runAction(call: Call, a: ActionCall): Promise<number> {
  const print = (value: unknown, text: () => void): void => {
    if (a.json) console.log(JSON.stringify(value, null, 2));
    else text();
  };
  const printState = (s: RulesState): void =>
    print(s, () => {
      console.log(`rules ${s.paused ? 'PAUSED' : 'running'}${s.writable ? '' : ' (read-only key: rules do not run)'}`);
      if (s.rules.length === 0) console.log('no rules');
      for (const r of s.rules) console.log(describeRule(r));
    });
  switch (a.action) {
    case 'list':
      printState(await call('rules.list', {}));
      return 0;
    case 'add': {
      const rule = await call('rules.add', { rule: a.rule as RuleInput });
      print(rule, () => console.log(`added ${describeRule(rule)}`));
      return 0;
    }
    case 'remove': {
      const out = await call('rules.remove', { id: a.id ?? '' });
      if (!out.removed) throw new CliError(`no rule ${a.id} (see "rules list")`);
      print(out, () => console.log(`removed ${a.id}`));
      return 0;
    }
    case 'pause':
    case 'resume': {
      if (a.id) {
        const rule = await call('rules.setEnabled', { id: a.id, enabled: a.action === 'resume' });
        print(rule, () => console.log(describeRule(rule)));
      } else printState(await call('rules.setPaused', { paused: a.action === 'pause' }));
      return 0;
    }
    case 'preview': {
      const preview = await call('rules.preview', { rule: a.rule as RuleInput, ...(a.days !== undefined ? { days: a.days } : {}) });
      print(preview, () => printPreview(preview));
      return 0;
    }
    case 'export':
      console.log(JSON.stringify(await call('rules.export', {}), null, 2));
      return 0;
    case 'import': {
      const out = await call('rules.import', { document: a.document as RulesDocument, ...(a.replace ? { replace: true } : {}) });
      print(out, () => console.log(`imported ${out.added} rule(s)${out.removed ? `, removed ${out.removed}` : ''}`));
      return 0;
    }
  }
}
