import type { Command } from '../command.ts';
import { sandboxCommand } from './sandbox.ts';
import { serveCommand } from './serve.ts';
import { syncCommand } from './sync.ts';
import { approveCommand, cancelCommand, rescheduleCommand } from './intent.ts';
import { statusCommand } from './status.ts';
import { relayCommand } from '../../../relay/cli.ts';
import { importCommand } from './import.ts';
import { icsCommand } from './ics.ts';
import { feedsCommand } from './feeds.ts';
import { bookingsCommand, queueCommand } from './bookings.ts';
import { offeringsCommand } from './offerings.ts';
import { notesCommand } from './notes.ts';
import { intentsCommand, outboxCommand } from './outbox.ts';
import { conflictsCommand } from './conflicts.ts';

import { rulesCommand } from './rules.ts';
import { doctorCommand } from './doctor.ts';

/** Every CLI command, in the order `--help` lists them. */
export const commands: Command[] = [serveCommand, sandboxCommand, syncCommand, bookingsCommand, queueCommand, offeringsCommand, approveCommand, cancelCommand, rescheduleCommand, notesCommand, outboxCommand, intentsCommand, conflictsCommand, statusCommand, relayCommand, importCommand, icsCommand, feedsCommand, rulesCommand, doctorCommand];
