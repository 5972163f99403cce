/**
 * `orkestr-console rules …`: the approval rules of a replica, through the contract (dispatch.ts
 * validates every call with the contract's schemas; a bad rule is exit 2 with the field named).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { MethodInput, MethodName, MethodResults, RulePreview, RuleView, RulesState } from '../../../shared/contract/types.ts';
import { CliError, UsageError, integerOption, requiredString, stringOption, type Command, type ParsedArgs } from '../command.ts';

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

/** A refusal by the contract's schema: exit 2, each field with what is wrong. */
function badInput(action: Action, fields: Array<{ path: string; message: string }> | undefined, message: string): UsageError {
  const list = fields?.map((f) => `${f.path.replace(/^(rule|document)\./, '')}: ${f.message}`).join('; ');
  return new UsageError(list ? `invalid ${action === 'import' ? 'rules document' : 'rule'}: ${list}` : message);
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
  // One switch over the actions, each a few lines around one contract call: longer than 80 lines, kept together.
  async run(args) {
    const { action, id } = actionOf(args);
    const dbFile = requiredString(args, 'db');
    const json = args.values['json'] === true;
    const days = stringOption(args, 'days') === undefined ? undefined : integerOption(args, 'days', 30, 1, 3660);
    if (days !== undefined && action !== 'preview') throw new UsageError('--days is for rules preview');
    const input = action === 'add' || action === 'preview' ? await readJson(args, 'rule') : action === 'import' ? await readJson(args, 'rules document') : null;
    if (input !== null) {
      // The contract's own validation, before the replica is opened: a bad rule is reported even without one.
      const { parseCall } = await import('../../../shared/contract/schemas.ts');
      const { ContractError } = await import('../../../shared/contract/types.ts');
      try {
        if (action === 'import') parseCall('rules.import', { document: input });
        else parseCall(action === 'add' ? 'rules.add' : 'rules.preview', { rule: input });
      } catch (error) {
        if (error instanceof ContractError) throw badInput(action, error.fields, error.message);
        throw error;
      }
    }
    if (!existsSync(dbFile)) throw new CliError(`no replica at ${dbFile} (run sync first)`);

    const { createCore } = await import('../../core/index.ts');
    const { dispatchCall } = await import('../../dispatch.ts');
    let core: ReturnType<typeof createCore>;
    try {
      core = createCore({ dbFile, transport: 'bridge', appVersion: 'cli', holdMs: 0 });
    } catch (error) {
      throw new CliError(`cannot open ${dbFile}: ${(error as Error).message}`);
    }
    const call = async <M extends MethodName>(method: M, params: MethodInput<M> | Record<string, unknown>): Promise<MethodResults[M]> => {
      const out = await dispatchCall(core, method, params);
      if (out.ok) return out.result as MethodResults[M];
      if (out.error.code === 'BAD_INPUT') throw badInput(action, out.error.fields, out.error.message);
      throw new CliError(out.error.message);
    };
    const print = (value: unknown, text: () => void): void => {
      if (json) console.log(JSON.stringify(value, null, 2));
      else text();
    };
    const printState = (s: RulesState): void =>
      print(s, () => {
        console.log(`rules ${s.paused ? 'PAUSED' : 'running'}${s.writable ? '' : ' (read-only key: rules do not run)'}`);
        if (s.rules.length === 0) console.log('no rules');
        for (const r of s.rules) console.log(describeRule(r));
      });
    try {
      switch (action) {
        case 'list':
          printState(await call('rules.list', {}));
          return 0;
        case 'add': {
          const rule = await call('rules.add', { rule: input });
          print(rule, () => console.log(`added ${describeRule(rule)}`));
          return 0;
        }
        case 'remove': {
          const out = await call('rules.remove', { id: id ?? '' });
          if (!out.removed) throw new CliError(`no rule ${id} (see "rules list")`);
          print(out, () => console.log(`removed ${id}`));
          return 0;
        }
        case 'pause':
        case 'resume': {
          if (id) {
            const rule = await call('rules.setEnabled', { id, enabled: action === 'resume' });
            print(rule, () => console.log(describeRule(rule)));
          } else printState(await call('rules.setPaused', { paused: action === 'pause' }));
          return 0;
        }
        case 'preview': {
          const preview = await call('rules.preview', { rule: input, ...(days !== undefined ? { days } : {}) });
          print(preview, () => printPreview(preview));
          return 0;
        }
        case 'export':
          console.log(JSON.stringify(await call('rules.export', {}), null, 2));
          return 0;
        case 'import': {
          const out = await call('rules.import', { document: input, ...(args.values['replace'] === true ? { replace: true } : {}) });
          print(out, () => console.log(`imported ${out.added} rule(s)${out.removed ? `, removed ${out.removed}` : ''}`));
          return 0;
        }
      }
    } finally {
      await core.close();
    }
  },
};
