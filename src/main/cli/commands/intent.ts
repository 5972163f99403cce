import type { ConsoleCore } from '../../core/core.ts';
import { CliError, UsageError, requiredString, type Command, type ParsedArgs } from '../command.ts';

/** Opens the replica offline (no API: intents are only queued; `sync` sends them). */
async function withCore<T>(args: ParsedArgs, fn: (core: ConsoleCore) => T): Promise<T> {
  const dbFile = requiredString(args, 'db');
  const { ConsoleCore } = await import('../../core/core.ts');
  const { ContractError } = await import('../../../shared/contract/types.ts');
  const { explainReplicaError } = await import('../../core/index.ts');
  let core;
  try {
    core = new ConsoleCore({ dbFile, transport: 'bridge', appVersion: 'cli', holdMs: 0 });
  } catch (error) {
    throw new CliError(`cannot open ${dbFile}: ${(error as Error).message}`);
  }
  try {
    return fn(core);
  } catch (error) {
    if (error instanceof ContractError) {
      if (error.code === 'BAD_INPUT') throw new UsageError(error.message);
      throw new CliError(error.message);
    }
    // A replica another process keeps locked past the busy timeout: say which process.
    throw explainReplicaError(error, dbFile);
  } finally {
    await core.close();
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
    return withCore(args, (core) => printIntent(core.approve(id), `booking ${id} is already confirmed`));
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
    if (reason.length > 500) throw new UsageError('--reason must be at most 500 characters');
    return withCore(args, (core) => printIntent(core.cancel(id, reason), `booking ${id} is already cancelled`));
  },
};

function isoOption(args: ParsedArgs, name: string): string {
  const v = requiredString(args, name);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v) || Number.isNaN(Date.parse(v))) {
    throw new UsageError(`--${name} must be an ISO date-time with a zone, e.g. 2026-05-12T15:00:00Z; got "${v}"`);
  }
  return v;
}

export const rescheduleCommand: Command = {
  name: 'reschedule',
  summary: "Queue a reschedule of one booking item to new times (offline). Prints the intent id.",
  usage: 'reschedule <bookingId> --item ITEM --starts ISO --ends ISO --db FILE',
  options: { db: { type: 'string' }, item: { type: 'string' }, starts: { type: 'string' }, ends: { type: 'string' } },
  allowPositionals: true,
  run: (args) => {
    const id = bookingId(args);
    const item = requiredString(args, 'item');
    const starts = isoOption(args, 'starts');
    const ends = isoOption(args, 'ends');
    if (Date.parse(ends) <= Date.parse(starts)) throw new UsageError('--ends must be after --starts');
    return withCore(args, (core) => printIntent(core.reschedule(id, item, starts, ends), ''));
  },
};
