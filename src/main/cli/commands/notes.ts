/** `notes <id> [--text TEXT]`: the booking's customer notes (what the customer wrote), shown or changed. */
import { CliError, UsageError, stringOption, type Command } from '../command.ts';
import { oneId, printJson, withContract } from '../contract.ts';
import { customerNotes } from './bookings.ts';

export const notesCommand: Command = {
  name: 'notes',
  summary: "Show a booking's customer notes, or queue a change to them (offline; `sync` sends it).",
  usage:
    'notes <bookingId> --db FILE [--text TEXT] [--json]\n\n' +
    '  --text TEXT  replace the notes with TEXT (up to 5,000 characters; "" clears them); prints the intent id\n' +
    '               (--set TEXT is the same)\n' +
    'Without --text, prints the notes: they carry what the customer wrote with the request.',
  options: { db: { type: 'string' }, text: { type: 'string' }, set: { type: 'string' }, json: { type: 'boolean' } },
  allowPositionals: true,
  run: (args) => {
    const id = oneId(args, 'a booking id');
    const text = stringOption(args, 'text');
    const set = stringOption(args, 'set');
    if (text !== undefined && set !== undefined) throw new UsageError('give --text or --set, not both');
    const notes = text ?? set;
    const json = args.values['json'] === true;
    return withContract(args, async (call) => {
      if (notes !== undefined) {
        const { intentId } = await call('bookings.setNotes', { id, notes });
        if (json) printJson({ bookingId: id, notes, intentId });
        else console.log(intentId);
        return 0;
      }
      const b = await call('bookings.get', { id });
      if (!b) throw new CliError(`booking ${id} is not in the replica (sync first, or check the id)`);
      if (json) printJson({ bookingId: id, notes: b.notes, customer: b.customer });
      else console.log(`customer notes (${b.customer.name}): ${customerNotes(b.notes)}`);
      return 0;
    });
  },
};
