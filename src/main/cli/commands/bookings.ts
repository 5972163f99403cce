/** `bookings list|show` and `queue`: the replica's bookings as the window shows them (truth with queued intents laid over it). */
import type { BookingDetail, BookingView, QueueRow } from '../../../shared/contract/types.ts';
import { CliError, UsageError, stringOption, type Command } from '../command.ts';
import { instantArg, money, numberArg, oneId, printJson, withContract } from '../contract.ts';

function firstStart(b: BookingView): string {
  return b.items.map((i) => i.startsAt).sort()[0] ?? '-';
}

function pendingMark(b: BookingView): string {
  if (b.status === b.serverStatus) return '';
  return ` (server: ${b.serverStatus}; ${b.syncState === 'attention' ? 'needs attention' : 'queued change'})`;
}

/** One line per booking: id, status, first start, offering, customer, total. */
export function bookingLine(b: BookingView): string {
  return `${b.id}  ${b.status.padEnd(9)}  ${firstStart(b)}  ${b.offeringTitle}  ${b.customer.name} <${b.customer.email}>  ${money(b.totalCents, b.currency)}${pendingMark(b)}`;
}

/** Customer notes are what the customer wrote with the request: labelled as theirs. */
export function customerNotes(notes: string): string {
  return notes.trim() ? notes : '(none)';
}

function printDetail(b: BookingDetail): void {
  const lines = [
    `booking:        ${b.id}`,
    `status:         ${b.status}${pendingMark(b)}`,
    `offering:       ${b.offeringTitle} (${b.offeringId})`,
    `customer:       ${b.customer.name} <${b.customer.email}>`,
    `customer notes: ${customerNotes(b.notes)}`,
    `total:          ${money(b.totalCents, b.currency)} (subtotal ${money(b.subtotalCents, b.currency)}, discount ${money(b.discountCents, b.currency)}, tax ${money(b.taxCents, b.currency)})${b.couponCode ? `, coupon ${b.couponCode}` : ''}`,
    `risk:           ${b.riskScore ?? '-'}${b.riskReviewStatus ? ` (${b.riskReviewStatus})` : ''}`,
    `created:        ${b.createdAt}`,
  ];
  if (b.cancelReason) lines.push(`cancel reason:  ${b.cancelReason}`);
  if (b.refundPercent !== null) lines.push(`refund:         ${b.refundPercent} %`);
  lines.push('items:');
  for (const i of b.items) lines.push(`  ${i.id}  ${i.startsAt} – ${i.endsAt}  x${i.quantity}  ${money(i.priceCents, b.currency)}`);
  if (b.payments.length) {
    lines.push('payments:');
    for (const p of b.payments) lines.push(`  ${p.id}  ${money(p.amountCents, p.currency)}  ${p.status}  ${p.createdAt}`);
  }
  lines.push('history:');
  for (const h of b.history) lines.push(`  ${h.at}  ${h.kind.padEnd(7)}  ${h.summary}${h.state ? ` [${h.state}]` : ''}`);
  console.log(lines.join('\n'));
}

export const bookingsCommand: Command = {
  name: 'bookings',
  summary: 'List bookings (filters, newest first) or show one, from the replica.',
  usage:
    'bookings list --db FILE [--status S] [--offering ID] [--from ISO] [--to ISO] [--search TEXT] [--limit N] [--offset N] [--json]\n' +
    '       bookings show <bookingId> --db FILE [--json]\n\n' +
    '  --status S      PENDING, CONFIRMED, COMPLETED, CANCELLED or REFUNDED (as the window shows it, queued changes included)\n' +
    '  --offering ID   only this offering\n' +
    '  --from/--to ISO first start on or after / before (a date means 00:00 UTC)\n' +
    '  --search TEXT   customer name or e-mail, offering title, booking id\n' +
    '  --limit N       at most N bookings (default 50, up to 1000); --offset N skips the first N\n' +
    '  --json          the contract\'s answer on stdout\n' +
    'No network: what the last sync brought, with actions queued on this machine laid over it.',
  options: {
    db: { type: 'string' },
    status: { type: 'string' },
    offering: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    search: { type: 'string' },
    limit: { type: 'string' },
    offset: { type: 'string' },
    json: { type: 'boolean' },
  },
  allowPositionals: true,
  async run(args) {
    const [sub] = args.positionals;
    const json = args.values['json'] === true;
    if (sub === 'show') {
      const id = oneId(args, 'a booking id', 1);
      return withContract(args, async (call) => {
        const b = await call('bookings.get', { id });
        if (!b) throw new CliError(`no booking ${id} in the replica (sync first, or check the id)`);
        if (json) printJson(b);
        else printDetail(b);
        return 0;
      });
    }
    if (sub !== 'list') throw new UsageError(sub === undefined ? 'say "list" or "show <id>"' : `unknown subcommand "${sub}" (list or show)`);
    if (args.positionals.length > 1) throw new UsageError(`unexpected argument "${args.positionals[1]}"`);
    const status = stringOption(args, 'status')?.toUpperCase();
    const from = instantArg(stringOption(args, 'from'));
    const to = instantArg(stringOption(args, 'to'));
    const input = {
      ...(status ? { status: status as BookingView['status'] } : {}),
      ...(stringOption(args, 'offering') ? { offeringId: stringOption(args, 'offering') } : {}),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      ...(stringOption(args, 'search') !== undefined ? { search: stringOption(args, 'search') } : {}),
      offset: numberArg(args, 'offset') ?? 0,
      limit: numberArg(args, 'limit') ?? 50,
    };
    return withContract(args, async (call) => {
      const page = await call('bookings.list', input);
      if (json) printJson(page);
      else {
        for (const b of page.items) console.log(bookingLine(b));
        console.log(`${page.items.length} of ${page.total} booking${page.total === 1 ? '' : 's'}`);
      }
      return 0;
    });
  },
};

function queueLine(r: QueueRow): string {
  const flags = [r.held ? 'HELD for risk review' : '', r.slot.state === 'full' ? `slot full (${r.slot.taken}/${r.slot.capacity ?? '?'})` : '', ...r.ruleFlags.map((f) => `needs a look: rule "${f.ruleName}"`)].filter(Boolean).join(', ');
  const notes = r.notes.trim() ? `  customer notes: ${r.notes.replace(/\s+/g, ' ').slice(0, 80)}` : '';
  return `${r.id}  ${r.startsAt ?? '-'}  ${r.offeringTitle}  ${r.customer.name}  ${money(r.totalCents, r.currency)}${flags ? `  [${flags}]` : ''}${notes}`;
}

export const queueCommand: Command = {
  name: 'queue',
  summary: 'List PENDING bookings in the approval queue\'s order (oldest request first), from the replica.',
  usage:
    'queue --db FILE [--sort waiting|starting] [--flagged] [--limit N] [--json]\n\n' +
    '  --sort waiting   oldest request first (default, as the window\'s queue); starting: soonest start first\n' +
    '  --flagged        only the bookings a flag rule labelled "needs a look"\n' +
    '  --limit N        at most N rows (default 100, up to 1000)\n' +
    'Approvals and cancellations queued on this machine are laid over: an approved booking leaves the queue at once.',
  options: { db: { type: 'string' }, sort: { type: 'string' }, flagged: { type: 'boolean' }, limit: { type: 'string' }, json: { type: 'boolean' } },
  async run(args) {
    const sort = stringOption(args, 'sort');
    const flagged = args.values['flagged'] === true;
    const limit = numberArg(args, 'limit') ?? 100;
    return withContract(args, async (call) => {
      const win = await call('queue.window', { ...(sort ? { sort: sort as 'waiting' } : {}), ...(flagged ? { flagged } : {}), limit });
      if (args.values['json'] === true) printJson(win);
      else {
        for (const r of win.items) console.log(queueLine(r));
        console.log(`${win.items.length} of ${win.total} pending${win.counts.held ? `; ${win.counts.held} held for risk review` : ''}${win.counts.full ? `; ${win.counts.full} in a full slot` : ''}${win.counts.flagged ? `; ${win.counts.flagged} flagged by a rule` : ''}`);
      }
      return 0;
    });
  },
};
