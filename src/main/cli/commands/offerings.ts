/** `offerings list`: the Catalogue's offerings as the window pages them (changes queued here first, then by title). */
import type { OfferingView } from '../../../shared/contract/types.ts';
import { UsageError, stringOption, type Command } from '../command.ts';
import { money, numberArg, printJson, withContract } from '../contract.ts';

/** One line per offering: id, status, title, slug, price, and a change not yet on the server. */
export function offeringLine(o: OfferingView): string {
  const sync = o.syncState === 'synced' ? '' : o.syncState === 'attention' ? '  (needs attention)' : '  (queued change)';
  return `${o.id}  ${o.status.padEnd(9)}  ${o.title}  [${o.slug}]  ${money(o.basePriceCents, o.currency)}${sync}`;
}

export const offeringsCommand: Command = {
  name: 'offerings',
  summary: 'List the offerings a page at a time, as the Catalogue shows them, with a search, from the replica.',
  usage:
    'offerings list --db FILE [--search TEXT] [--limit N] [--offset N] [--json]\n\n' +
    '  --search TEXT   title or slug, without case or accents ("sesion" finds "Sesión")\n' +
    '  --limit N       at most N offerings (default 50, up to 500); --offset N skips the first N\n' +
    '  --json          the contract\'s answer on stdout\n' +
    'Offerings with changes queued on this machine come first, then the rest by title. No network.',
  options: { db: { type: 'string' }, search: { type: 'string' }, limit: { type: 'string' }, offset: { type: 'string' }, json: { type: 'boolean' } },
  allowPositionals: true,
  async run(args) {
    const [sub, extra] = args.positionals;
    if (sub !== 'list') throw new UsageError(sub === undefined ? 'say "list"' : `unknown subcommand "${sub}" (list)`);
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
    const search = stringOption(args, 'search');
    const input = { ...(search !== undefined ? { search } : {}), offset: numberArg(args, 'offset') ?? 0, limit: numberArg(args, 'limit') ?? 50 };
    return withContract(args, async (call) => {
      const page = await call('offerings.page', input);
      if (args.values['json'] === true) printJson(page);
      else {
        for (const o of page.items) console.log(offeringLine(o));
        console.log(`${page.items.length} of ${page.total} offering${page.total === 1 ? '' : 's'}`);
      }
      return 0;
    });
  },
};
