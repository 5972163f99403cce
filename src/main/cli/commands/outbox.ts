/** `outbox list|withdraw` (also `intents`): what this machine has queued for the server, and taking back what has not left. */
import type { IntentView } from '../../../shared/contract/types.ts';
import { CliError, UsageError, type Command } from '../command.ts';
import { oneId, printJson, withContract } from '../contract.ts';

function intentLine(i: IntentView): string {
  const blocked = i.blockedBy === 'key' ? '  [blocked: the API key is read-only]' : '';
  const error = i.lastError ? `  last error: ${i.lastError}` : '';
  return `${i.id}  ${i.state.padEnd(9)}  ${i.kind.padEnd(18)}  ${i.targetId}  ${i.createdAt}  attempts ${i.attempts}${blocked}${error}`;
}

function makeCommand(name: 'outbox' | 'intents'): Command {
  return {
    name,
    summary: name === 'outbox' ? 'List the actions queued on this machine, or withdraw one that has not been sent.' : 'The same as `outbox`.',
    usage:
      `${name} list --db FILE [--all] [--json]\n` +
      `       ${name} withdraw <intentId> --db FILE\n\n` +
      '  list       actions still to send (queued, held, needing attention); --all adds the last 100 finished ones\n' +
      '  withdraw   removes an action that never left this machine, with its effect on what the console shows;\n' +
      '             exit 1 when it was already sent (or is being sent), finished, or unknown',
    options: { db: { type: 'string' }, all: { type: 'boolean' }, json: { type: 'boolean' } },
    allowPositionals: true,
    async run(args) {
      const [sub] = args.positionals;
      if (sub === 'withdraw') {
        const id = oneId(args, 'an intent id', 1);
        return withContract(args, async (call) => {
          const { undone } = await call('intents.undo', { id });
          if (!undone) {
            const known = (await call('intents.list', {})).find((i) => i.id === id);
            throw new CliError(known ? `intent ${id} is ${known.state}${known.attempts > 0 ? ` after ${known.attempts} attempt(s)` : ''}: only an action that has not been sent can be withdrawn` : `no intent ${id} in this replica`);
          }
          if (args.values['json'] === true) printJson({ id, withdrawn: true });
          else console.log(`withdrawn: ${id}`);
          return 0;
        });
      }
      if (sub !== 'list') throw new UsageError(sub === undefined ? 'say "list" or "withdraw <intentId>"' : `unknown subcommand "${sub}" (list or withdraw)`);
      if (args.positionals.length > 1) throw new UsageError(`unexpected argument "${args.positionals[1]}"`);
      return withContract(args, async (call) => {
        const all = await call('intents.list', {});
        const open = ['held', 'queued', 'sending', 'attention'];
        const shown = args.values['all'] === true ? all : all.filter((i) => open.includes(i.state));
        if (args.values['json'] === true) printJson(shown);
        else {
          for (const i of shown) console.log(intentLine(i));
          const blocked = shown.filter((i) => i.blockedBy === 'key').length;
          console.log(`${shown.length} action${shown.length === 1 ? '' : 's'}${blocked ? `; ${blocked} blocked: the API key is read-only (kept, and sent once a key with write is connected)` : ''}`);
        }
        return 0;
      });
    },
  };
}

export const outboxCommand = makeCommand('outbox');
export const intentsCommand = makeCommand('intents');
