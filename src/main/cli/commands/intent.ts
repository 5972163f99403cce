import type { MethodInput } from '../../../shared/contract/types.ts';
import type { ConsoleCore } from '../../core/index.ts';
import type { ContractHost } from '../../dispatch.ts';
import { CliError, UsageError, requiredString, type Command, type ParsedArgs } from '../command.ts';
import { callContract, type OptionNames } from '../contract.ts';

/** The contract's field names as this command's options, for its usage errors. */
const optionNames: OptionNames = { id: 'bookingId', reason: '--reason', itemId: '--item', startsAt: '--starts', endsAt: '--ends' };

/**
 * Runs one intent method on the replica, offline (no API: intents are only queued; `sync` sends
 * them). The replica is opened only once the contract accepted the input: bad usage touches no file.
 */
async function queueIntent<M extends 'bookings.approve' | 'bookings.cancel' | 'bookings.reschedule'>(args: ParsedArgs, method: M, input: MethodInput<M>): Promise<string | null> {
  const dbFile = requiredString(args, 'db');
  const { createCore } = await import('../../core/index.ts');
  let core: ConsoleCore | null = null;
  const host: ContractHost = {
    get handlers() {
      try {
        core ??= createCore({ dbFile, transport: 'bridge', appVersion: 'cli', holdMs: 0 });
      } catch (error) {
        throw new CliError(`cannot open ${dbFile}: ${(error as Error).message}`);
      }
      return core.handlers;
    },
    on: () => () => undefined,
  };
  try {
    return (await callContract(host, method, input, optionNames)).intentId;
  } finally {
    await (core as ConsoleCore | null)?.close();
  }
}

function bookingId(args: ParsedArgs): string {
  const [id, ...extra] = args.positionals;
  if (!id) throw new UsageError('a booking id is required');
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  return id;
}

function printIntent(id: string | null, what: string): number {
  if (id === null) console.log(`nothing to send: ${what}`);
  else console.log(id);
  return 0;
}

export const approveCommand: Command = {
  name: 'approve',
  summary: 'Queue an approval of a PENDING booking (offline; `sync` sends it). Prints the intent id.',
  usage: 'approve <bookingId> --db FILE',
  options: { db: { type: 'string' } },
  allowPositionals: true,
  run: (args) => {
    const id = bookingId(args);
    return queueIntent(args, 'bookings.approve', { id }).then((intentId) => printIntent(intentId, `booking ${id} is already confirmed`));
  },
};

export const cancelCommand: Command = {
  name: 'cancel',
  summary: 'Queue a cancellation of a booking with a reason (offline). Prints the intent id.',
  usage: 'cancel <bookingId> --reason TEXT --db FILE',
  options: { db: { type: 'string' }, reason: { type: 'string' } },
  allowPositionals: true,
  run: (args) => {
    const id = bookingId(args);
    const reason = requiredString(args, 'reason');
    return queueIntent(args, 'bookings.cancel', { id, reason }).then((intentId) => printIntent(intentId, `booking ${id} is already cancelled`));
  },
};

export const rescheduleCommand: Command = {
  name: 'reschedule',
  summary: "Queue a reschedule of one booking item to new times (offline). Prints the intent id.",
  usage: 'reschedule <bookingId> --item ITEM --starts ISO --ends ISO --db FILE',
  options: { db: { type: 'string' }, item: { type: 'string' }, starts: { type: 'string' }, ends: { type: 'string' } },
  allowPositionals: true,
  run: (args) => {
    const id = bookingId(args);
    const input = { id, itemId: requiredString(args, 'item'), startsAt: requiredString(args, 'starts'), endsAt: requiredString(args, 'ends') };
    return queueIntent(args, 'bookings.reschedule', input).then((intentId) => printIntent(intentId, ''));
  },
};
