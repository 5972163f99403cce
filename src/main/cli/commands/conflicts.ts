/** `conflicts list|resolve`: actions the server refused (Needs attention), and the user's choice on each. */
import type { ConflictView } from '../../../shared/contract/types.ts';
import { CliError, UsageError, type Command } from '../command.ts';
import { oneId, printJson, withContract } from '../contract.ts';

function conflictLine(c: ConflictView): string {
  return `${c.id}  ${c.createdAt}  ${c.summary}: ${c.httpStatus} ${c.code} ${c.message}`;
}

export const conflictsCommand: Command = {
  name: 'conflicts',
  summary: 'List the actions the server refused (Needs attention), or resolve one.',
  usage:
    'conflicts list --db FILE [--json]\n' +
    '       conflicts resolve <conflictId> --retry|--discard|--take-server --db FILE\n\n' +
    '  --retry        queue the action again (a new idempotency key; `sync` sends it)\n' +
    '  --discard      drop the action; the console shows the server\'s record again\n' +
    '  --take-server  the same, and the record is fetched again at the next sync\n' +
    'Exit 1 when the conflict is unknown or already resolved.',
  options: { db: { type: 'string' }, retry: { type: 'boolean' }, discard: { type: 'boolean' }, 'take-server': { type: 'boolean' }, json: { type: 'boolean' } },
  allowPositionals: true,
  async run(args) {
    const [sub] = args.positionals;
    if (sub === 'resolve') {
      const id = oneId(args, 'a conflict id', 1);
      const choices = (['retry', 'discard', 'take-server'] as const).filter((c) => args.values[c] === true);
      if (choices.length !== 1) throw new UsageError('give exactly one of --retry, --discard, --take-server');
      const choice = choices[0] === 'take-server' ? 'takeServer' : choices[0]!;
      return withContract(args, async (call) => {
        const { resolved } = await call('conflicts.resolve', { id, choice });
        if (!resolved) throw new CliError(`no open conflict ${id} (already resolved, or unknown)`);
        if (args.values['json'] === true) printJson({ id, choice, resolved });
        else console.log(`resolved ${id}: ${choices[0]}`);
        return 0;
      });
    }
    if (sub !== 'list') throw new UsageError(sub === undefined ? 'say "list" or "resolve <conflictId>"' : `unknown subcommand "${sub}" (list or resolve)`);
    if (args.positionals.length > 1) throw new UsageError(`unexpected argument "${args.positionals[1]}"`);
    return withContract(args, async (call) => {
      const list = await call('conflicts.list', {});
      if (args.values['json'] === true) printJson(list);
      else {
        for (const c of list) console.log(conflictLine(c));
        console.log(`${list.length} needing attention`);
      }
      return 0;
    });
  },
};
