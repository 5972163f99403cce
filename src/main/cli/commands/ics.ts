/** `ics`: the contract's `calendar.export` (the window's export button), written to a file or stdout. */
import { copyFileSync, renameSync, rmSync } from 'node:fs';
import { CliError, requiredString, stringListOption, stringOption, type Command } from '../command.ts';
import { checkInput, instantArg, statusesArg, withContract, type FlagNames } from '../contract.ts';

/** The options each `calendar.export` field comes from, named in a refusal. */
const flags: FlagNames = {
  from: '--from',
  to: '--to',
  offeringIds: '--offering',
  statuses: '--status',
  calendarName: '--name',
};

export const icsCommand: Command = {
  name: 'ics',
  summary: 'Export bookings from the replica as an iCalendar (.ics) file.',
  usage:
    'ics --db FILE --out FILE [--from ISO] [--to ISO] [--include-pending] [--offering ID]... [--status S]... [--name TEXT]\n\n' +
    '  --db FILE           the replica (SQLite)\n' +
    '  --out FILE          where to write the .ics ("-" for standard output)\n' +
    '  --from ISO          only items ending after this instant (a date means 00:00 UTC)\n' +
    '  --to ISO            only items starting before this instant\n' +
    '  --include-pending   add PENDING bookings as tentative events\n' +
    '  --offering ID       only this offering (repeat for several)\n' +
    '  --status S          exactly these statuses (repeat; overrides --include-pending)\n' +
    '  --name TEXT         calendar name (default: "<tenant> bookings")\n\n' +
    'Confirmed and completed bookings are busy events, cancelled and refunded ones STATUS:CANCELLED.\n' +
    'The same data always gives the same bytes.',
  options: {
    db: { type: 'string' },
    out: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    'include-pending': { type: 'boolean' },
    offering: { type: 'string', multiple: true },
    status: { type: 'string', multiple: true },
    name: { type: 'string' },
  },
  async run(args) {
    const out = requiredString(args, 'out');
    const offeringIds = stringListOption(args, 'offering');
    const input = checkInput(
      'calendar.export',
      {
        from: instantArg(stringOption(args, 'from')),
        to: instantArg(stringOption(args, 'to')),
        offeringIds: offeringIds.length ? offeringIds : undefined,
        statuses: statusesArg(stringListOption(args, 'status')),
        includePending: args.values['include-pending'] === true,
        calendarName: stringOption(args, 'name'),
      },
      flags,
    );
    return withContract(
      args,
      async (call) => {
        if (out === '-') {
          const { ics } = await call('calendar.export', input);
          process.stdout.write(ics ?? '');
          return 0;
        }
        // Written by the core's calendar worker (toFile), then moved here: a 50 MB calendar never
        // crosses threads or sits in this process as a string.
        const { file, events } = await call('calendar.export', { ...input, toFile: true });
        const tmp = `${out}.${process.pid}.tmp`;
        try {
          copyFileSync(file!, tmp);
          renameSync(tmp, out);
        } catch (error) {
          rmSync(tmp, { force: true });
          throw new CliError(`cannot write ${out}: ${(error as Error).message}`);
        } finally {
          rmSync(file!, { force: true });
        }
        console.error(`wrote ${events} event${events === 1 ? '' : 's'} to ${out}`);
        return 0;
      },
      { flags },
    );
  },
};
