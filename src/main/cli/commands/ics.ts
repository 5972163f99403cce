import { renameSync, writeFileSync } from 'node:fs';
import type { BookingStatus } from '../../../shared/contract/types.ts';
import { CliError, UsageError, requiredString, stringListOption, stringOption, type Command } from '../command.ts';
import { requireReplica } from '../contract.ts';

export const bookingStatusList: readonly BookingStatus[] = ['PENDING', 'CONFIRMED', 'COMPLETED', 'CANCELLED', 'REFUNDED'];

/** An ISO date or date-time option as a normalised ISO instant (a bare date is midnight UTC). */
export function instantOption(value: string | undefined, name: string): string | null {
  if (value === undefined) return null;
  const ok = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value);
  const t = ok ? Date.parse(/T/.test(value) && !/(Z|[+-]\d{2}:?\d{2})$/.test(value) ? `${value}Z` : value) : NaN;
  if (!Number.isFinite(t)) throw new UsageError(`--${name} must be an ISO date or date-time (e.g. 2026-05-01 or 2026-05-01T09:00:00Z), got "${value}"`);
  return new Date(t).toISOString();
}

export function statusesOption(values: string[]): BookingStatus[] | null {
  if (values.length === 0) return null;
  return values.map((v) => {
    const s = v.toUpperCase() as BookingStatus;
    if (!bookingStatusList.includes(s)) throw new UsageError(`--status must be one of ${bookingStatusList.join(', ')}, got "${v}"`);
    return s;
  });
}

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
    const dbFile = requiredString(args, 'db');
    const out = requiredString(args, 'out');
    const from = instantOption(stringOption(args, 'from'), 'from');
    const to = instantOption(stringOption(args, 'to'), 'to');
    if (from && to && from >= to) throw new UsageError('--from must be before --to');
    const statuses = statusesOption(stringListOption(args, 'status'));
    const filter = {
      from,
      to,
      offeringIds: stringListOption(args, 'offering'),
      statuses,
      includePending: args.values['include-pending'] === true,
    };
    requireReplica(dbFile);
    const { Replica, exportIcsBytes, readCalendarBookings, readTenant } = await import('../../core/index.ts');
    const replica = Replica.open(dbFile);
    try {
      const tenant = readTenant(replica);
      const bookings = readCalendarBookings(replica, filter);
      const bytes = exportIcsBytes(bookings, {
        calendarName: stringOption(args, 'name') ?? (tenant.name ? `${tenant.name} bookings` : 'Orkestr bookings'),
        subdomain: tenant.subdomain,
        filter,
      });
      const events = bookings.reduce((n, b) => n + b.items.length, 0);
      if (out === '-') {
        process.stdout.write(bytes);
      } else {
        const tmp = `${out}.${process.pid}.tmp`;
        try {
          writeFileSync(tmp, bytes);
          renameSync(tmp, out);
        } catch (error) {
          throw new CliError(`cannot write ${out}: ${(error as Error).message}`);
        }
        console.error(`wrote ${events} event${events === 1 ? '' : 's'} to ${out}`);
      }
      return 0;
    } finally {
      replica.close();
    }
  },
};
