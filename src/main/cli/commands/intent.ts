/**
 * Booking actions from the command line: each queues an intent through the contract (offline; `sync`
 * sends it) and prints the intent id. Messages use the booking's real status.
 */
import type { CancelPreview } from '../../../shared/contract/types.ts';
import { CliError, UsageError, requiredString, stringOption, type Command, type ParsedArgs } from '../command.ts';
import { money, oneId, printJson, withContract, type Call } from '../contract.ts';

/** What the booking is now (for "nothing to send" lines), or a failure naming the id. */
async function currentStatus(call: Call, id: string): Promise<string> {
  const b = await call('bookings.get', { id });
  if (!b) throw new CliError(`booking ${id} is not in the replica (sync first, or check the id)`);
  return b.status;
}

function printIntent(id: string | null, nothing: string): number {
  if (id === null) console.log(`nothing to send: ${nothing}`);
  else console.log(id);
  return 0;
}

export const approveCommand: Command = {
  name: 'approve',
  summary: 'Queue an approval of a PENDING booking (offline; `sync` sends it). Prints the intent id.',
  usage: 'approve <bookingId> --db FILE\n\nExit 1 when the booking cannot be approved (its status is said) or the API key is read-only.',
  options: { db: { type: 'string' } },
  allowPositionals: true,
  run: (args) => {
    const id = oneId(args, 'a booking id');
    return withContract(args, async (call) => {
      const { intentId } = await call('bookings.approve', { id });
      return printIntent(intentId, `booking ${id} is already ${await currentStatus(call, id)}`);
    });
  },
};

/** `refund: 50 % (USD 60.00) by the MODERATE policy, 30 h before the start`, or why it is unknown. */
export function describeRefund(p: CancelPreview | null): string {
  if (!p) return 'refund: unknown (the booking is not in the replica)';
  const when = p.hoursBeforeStart === null ? 'no start time' : p.hoursBeforeStart >= 0 ? `${Math.floor(p.hoursBeforeStart)} h before the start` : `${Math.floor(-p.hoursBeforeStart)} h after the start`;
  if (p.refundPercent === null || p.policy === null) return `refund: unknown (the offering has no cancellation policy in the replica; ${when})`;
  return `refund: ${p.refundPercent} % (${money(p.refundCents ?? 0, p.currency)}) by the ${p.policy} policy, ${when}`;
}

export const cancelCommand: Command = {
  name: 'cancel',
  summary: 'Show the refund a cancellation would give, then queue it (offline). Prints the intent id.',
  usage:
    'cancel <bookingId> --reason TEXT --db FILE [--preview] [--json]\n\n' +
    '  --reason TEXT  why (up to 500 characters), e.g. customer_request, no_availability, duplicate\n' +
    '  --preview      print the refund the offering\'s cancellation policy gives now, and queue nothing\n' +
    '  --json         {preview, intentId} on stdout\n' +
    'The refund line goes first (stderr without --preview); the server applies its own refund when `sync`\n' +
    'sends the cancellation. PENDING and CONFIRMED bookings can be cancelled; exit 1 for any other status\n' +
    'or a read-only API key.',
  options: { db: { type: 'string' }, reason: { type: 'string' }, preview: { type: 'boolean' }, json: { type: 'boolean' } },
  allowPositionals: true,
  run: (args) => {
    const id = oneId(args, 'a booking id');
    const previewOnly = args.values['preview'] === true;
    const reason = previewOnly ? (stringOption(args, 'reason') ?? '') : requiredString(args, 'reason');
    const json = args.values['json'] === true;
    return withContract(args, async (call) => {
      const status = await currentStatus(call, id);
      const preview = await call('bookings.cancelPreview', { id });
      if (previewOnly) {
        if (json) printJson({ status, preview, intentId: null });
        else console.log(`${describeRefund(preview)} (booking ${id} is ${status}; nothing queued)`);
        return 0;
      }
      const { intentId } = await call('bookings.cancel', { id, reason });
      if (json) printJson({ status, preview, intentId });
      else {
        console.error(describeRefund(preview));
        printIntent(intentId, `booking ${id} is already ${status}`);
      }
      return 0;
    });
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
  summary: 'Queue a reschedule of one booking item to new times (offline). Prints the intent id.',
  usage: 'reschedule <bookingId> --item ITEM --starts ISO --ends ISO --db FILE',
  options: { db: { type: 'string' }, item: { type: 'string' }, starts: { type: 'string' }, ends: { type: 'string' } },
  allowPositionals: true,
  run: (args) => {
    const id = oneId(args, 'a booking id');
    const itemId = requiredString(args, 'item');
    const startsAt = isoOption(args, 'starts');
    const endsAt = isoOption(args, 'ends');
    return withContract(args, async (call) => printIntent((await call('bookings.reschedule', { id, itemId, startsAt, endsAt })).intentId, ''));
  },
};
