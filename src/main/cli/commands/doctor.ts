import { CliError, UsageError, requiredString, stringOption, type Command } from '../command.ts';

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'Check a replica; restore its newest good backup; save the actions a damaged one has not sent yet.',
  usage:
    'doctor --db FILE [--restore-latest] [--export-outbox FILE] [--json]\n\n' +
    '  --db FILE              the replica to check\n' +
    '  --export-outbox FILE   write its unsent actions (queued, needs attention) as JSON, read row by row when damaged\n' +
    '  --restore-latest       move the replica aside (never deleted) and put the newest good backup in its place;\n' +
    '                         unsent actions still readable in the old file are queued again in the restored one\n' +
    '  --json                 the report as JSON\n' +
    'Exit 0 when the replica is sound (or was restored), 1 when it is not, 2 on wrong usage.\n' +
    'Backups are in backups/ beside the replica: before each migration and daily, the last 5.',
  options: { db: { type: 'string' }, 'restore-latest': { type: 'boolean' }, 'export-outbox': { type: 'string' }, json: { type: 'boolean' } },
  async run(args) {
    const { resolve } = await import('node:path');
    const dbFile = resolve(requiredString(args, 'db'));
    const exportTo = stringOption(args, 'export-outbox');
    if (exportTo === '') throw new UsageError('--export-outbox needs a file name');
    const json = args.values['json'] === true;
    const { diagnoseReplica, exportOutbox, restoreLatest, ReplicaOpenError } = await import('../../core/index.ts');
    const out: Record<string, unknown> = {};
    const say = (line: string): void => {
      if (!json) console.log(line);
    };
    try {
      if (exportTo) {
        const exported = exportOutbox(dbFile, resolve(exportTo));
        out['exported'] = { file: resolve(exportTo), ...exported };
        say(`exported ${exported.count} unsent action(s) to ${resolve(exportTo)}${exported.complete ? '' : ' (some rows were unreadable)'}`);
      }
      if (args.values['restore-latest']) {
        const restored = restoreLatest(dbFile);
        out['restored'] = restored;
        say(`restored ${dbFile} from ${restored.restoredFrom} (taken ${restored.backupAt})`);
        if (restored.movedAside) say(`the previous file is kept as ${restored.movedAside}`);
        say(`${restored.carriedOver} unsent action(s) from it queued again`);
      }
    } catch (error) {
      if (error instanceof ReplicaOpenError) throw new CliError(error.message);
      throw error;
    }
    const report = diagnoseReplica(dbFile);
    if (json) console.log(JSON.stringify({ ...report, ...out }, null, 2));
    else {
      for (const c of report.checks) say(`${c.ok ? 'ok     ' : 'PROBLEM'}  ${c.name.padEnd(11)} ${c.detail}`);
      say(report.ok ? `${dbFile}: sound` : `${dbFile}: needs attention. --export-outbox FILE saves its unsent actions; --restore-latest puts the newest good backup back.`);
    }
    return report.ok ? 0 : 1;
  },
};
