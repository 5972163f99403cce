/**
 * `import`: the contract's `import.check`, `import.errorReport` and `import.commit` (the window's import
 * wizard) on the replica, which is made when absent. The file's bytes go to the core as the upload does.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { ImportAnalysisView, ImportCommitResult, ImportProgressEvent } from '../../../shared/contract/types.ts';
import { changeLines, columnHelpCsv, describeCounts, normalizeDelimiter, normalizeEncoding, templateCsv } from '../../core/index.ts';
import { CliError, UsageError, stringOption, type Command } from '../command.ts';
import { RefusedError, checkInput, printJson, withContract, type FlagNames } from '../contract.ts';

/** `contentBase64` is the file: the contract's upload limit (≈ 96 MiB of file) holds for the CLI too. */
const flags: FlagNames = { delimiter: '--delimiter', encoding: '--encoding', contentBase64: 'FILE' };

/** A CLI spelling (`tab`, `latin1`) as the contract's value; anything else as typed, for the contract to refuse. */
function spelled(value: string | undefined, normalize: (v: string) => string): string | undefined {
  if (value === undefined) return undefined;
  try {
    return normalize(value);
  } catch {
    return value;
  }
}

function printView(v: ImportAnalysisView, maxIssues: number): void {
  const enc = v.decode.fellBack ? `windows-1252 (not valid UTF-8 at byte ${v.decode.invalidAt ?? '?'})` : v.decode.encoding;
  const delim = v.delimiter === '\t' ? 'tab' : v.delimiter;
  console.error(`encoding: ${enc}${v.decode.bom ? ', BOM' : ''}; delimiter: ${delim}${v.delimiterDetected ? ' (detected)' : ''}; ${v.bytes} bytes`);
  if (v.mapping) {
    for (const c of v.mapping.columns) {
      if (c.method === 'exact') continue;
      console.error(`  column ${c.letter} "${c.header}" → ${c.field ?? 'ignored'} (${c.method}${c.field ? `, confidence ${c.confidence.toFixed(2)}` : c.note ? `: ${c.note}` : ''})`);
    }
  }
  const shown = v.issues.slice(0, maxIssues);
  for (const i of shown) console.error(`${i.severity === 'error' ? 'error' : 'warning'}: ${i.message}`);
  const more = v.issues.length - shown.length + v.issuesDropped;
  if (more > 0) console.error(`… and ${more} more (use --json or --report FILE for all kept issues)`);
  console.error(describeCounts(v.preview.counts));
}

/**
 * Each existing offering the file changes, field by field (old -> new), from the check's samples (the
 * first 50 of each action), and the rows that unpublish one.
 */
function printChanges(v: ImportAnalysisView, maxOfferings: number): void {
  const updates = v.preview.samples.update;
  for (const p of updates.slice(0, maxOfferings)) {
    console.error(`update "${p.slug}" (line ${p.line}):`);
    for (const line of changeLines(p.changes ?? [])) console.error(line);
    if (p.rulesChanged) console.error(`  availability: replaced by the file's ${p.rules?.length ?? 0} weekly rule(s)`);
  }
  const listed = Math.min(updates.length, maxOfferings);
  if (v.preview.counts.offerings.update > listed) console.error(`… and ${v.preview.counts.offerings.update - listed} more offerings to update`);
  for (const u of v.unpublishes) console.error(`unpublish: "${u.slug}" (${u.title}) is PUBLISHED; line ${u.line} makes it ${u.to}`);
}

/**
 * Progress on stderr (stdout stays the report): a line at every tenth of the check and of the
 * commit, so a 100k-row import shows it is moving.
 */
function progressPrinter(): (p: ImportProgressEvent) => void {
  let last = '';
  return (p) => {
    const tenth = p.bytesTotal > 0 ? Math.floor((p.bytesProcessed / p.bytesTotal) * 10) : 0;
    const key = `${p.phase}:${tenth}`;
    if (key === last) return;
    last = key;
    const what = p.phase === 'commit' ? 'writing' : 'checking';
    console.error(`import: ${what} ${tenth * 10}% (${p.rows.toLocaleString('en')} rows)`);
  };
}

export const importCommand: Command = {
  name: 'import',
  summary: 'Import a catalogue CSV (offerings + weekly availability) into the replica, all or nothing.',
  usage:
    'import FILE --db FILE [--dry-run] [--allow-unpublish] [--delimiter C] [--encoding E] [--json] [--report OUT]\n' +
    '       import --template OUT [--help-columns OUT]\n\n' +
    '  FILE              the CSV (UTF-8; UTF-16 by its BOM or NUL pattern, e.g. Excel "Unicode Text"; or Windows-1252 as a reported fallback)\n' +
    '  --db FILE         the replica (SQLite) to check against and write to\n' +
    '  --dry-run         check and preview only; write nothing\n' +
    '  --allow-unpublish confirm rows that take PUBLISHED offerings off sale (DRAFT/ARCHIVED); without it\n' +
    '                    such a file is refused (exit 1), naming the offerings\n' +
    '  --delimiter C     , ; or tab (default: detected from the header line)\n' +
    '  --encoding E      utf-8, windows-1252, utf-16le, utf-16be or auto (default auto)\n' +
    '  --json            print a machine-readable report on stdout\n' +
    '  --report OUT      write the error report CSV (formula-escaped) to OUT\n' +
    '  --max-issues N    issues printed (default 200)\n' +
    '  --template OUT    write the template CSV to OUT\n' +
    '  --help-columns OUT  write the column descriptions (English and Spanish) to OUT\n\n' +
    'The preview lists, per existing offering, each field that changes (old -> new).\n' +
    'Exit 0 only when the whole file was accepted (and, without --dry-run, written); 1 when it has\n' +
    'errors, would unpublish offerings without --allow-unpublish, or the API key is read-only (nothing\n' +
    'is written); 2 for a wrong invocation.',
  options: {
    db: { type: 'string' },
    'dry-run': { type: 'boolean' },
    'allow-unpublish': { type: 'boolean' },
    delimiter: { type: 'string' },
    encoding: { type: 'string' },
    json: { type: 'boolean' },
    report: { type: 'string' },
    'max-issues': { type: 'string' },
    template: { type: 'string' },
    'help-columns': { type: 'string' },
  },
  allowPositionals: true,
  async run(args) {
    const template = stringOption(args, 'template');
    const helpColumns = stringOption(args, 'help-columns');
    if (template !== undefined || helpColumns !== undefined) {
      if (args.positionals.length > 0) throw new UsageError('--template/--help-columns take no input file');
      // Fixed text that needs no replica (import.template answers one language; this file has both).
      if (template) writeFileSync(template, templateCsv());
      if (helpColumns) writeFileSync(helpColumns, columnHelpCsv());
      console.error(`wrote ${[template, helpColumns].filter(Boolean).join(' and ')}`);
      return 0;
    }
    if (args.positionals.length !== 1) throw new UsageError('give exactly one CSV file (or --template OUT)');
    const file = args.positionals[0] as string;
    if (!stringOption(args, 'db')) throw new UsageError('--db is required');
    const options = {
      fileName: basename(file),
      delimiter: spelled(stringOption(args, 'delimiter'), normalizeDelimiter),
      encoding: spelled(stringOption(args, 'encoding'), normalizeEncoding),
    };
    // The options are checked by the contract before the file is read or the replica made.
    checkInput('import.check', { ...options, contentBase64: '' }, flags);
    const maxRaw = stringOption(args, 'max-issues') ?? '200';
    if (!/^\d+$/.test(maxRaw)) throw new UsageError('--max-issues must be a whole number');
    let contentBase64: string;
    try {
      contentBase64 = readFileSync(file).toString('base64');
    } catch {
      throw new CliError(`${file}: no such file`);
    }
    const json = args.values['json'] === true;
    const dryRun = args.values['dry-run'] === true;
    const allowUnpublish = args.values['allow-unpublish'] === true;
    const reportOut = stringOption(args, 'report');

    return withContract(
      args,
      async (call, core) => {
        // The core's import.progress events (the window's progress bar) as lines on stderr.
        const progress = progressPrinter();
        // The core is closed after this command (withContract), and its listeners with it.
        core.on((event, payload) => {
          if (event === 'import.progress') progress(payload as ImportProgressEvent);
        });
        const { token, view } = await call('import.check', checkInput('import.check', { ...options, contentBase64 }, flags));
        if (reportOut) writeFileSync(reportOut, (await call('import.errorReport', { token })).csv);
        const unconfirmed = view.ok && view.unpublishes.length > 0 && !allowUnpublish;
        let commit: ImportCommitResult | null = null;
        let readOnly: string | null = null;
        if (view.ok && !dryRun && !unconfirmed) {
          try {
            commit = await call('import.commit', { token, allowUnpublish });
          } catch (error) {
            if (!(error instanceof RefusedError && error.code === 'READ_ONLY')) throw error;
            readOnly = error.message;
          }
        }
        if (json) printJson({ ...view, dryRun, committed: commit !== null, commit });
        else {
          printView(view, Number(maxRaw));
          printChanges(view, Number(maxRaw));
        }
        if (!view.ok) {
          if (!json) console.error(`not imported: ${view.errorCount} error(s); nothing was written`);
          return 1;
        }
        if (unconfirmed) {
          const slugs = view.unpublishes.map((u) => `"${u.slug}"`).join(', ');
          console.error(`not imported: the file would take PUBLISHED offering(s) ${slugs} off sale; check the rows, or confirm with --allow-unpublish. Nothing was written`);
          return 1;
        }
        if (readOnly) {
          console.error(`not imported: ${readOnly} Nothing was written`);
          return 1;
        }
        if (!json) {
          if (commit) {
            console.log(`imported batch ${commit.batchId}: ${commit.created} created, ${commit.updated} updated, ${commit.unchanged} unchanged, ${commit.rules} availability rules (local only: v1 has no availability write endpoint), ${commit.intents} intents queued`);
          } else console.log('dry run: the file is accepted; nothing was written');
        }
        return 0;
      },
      { create: true, flags },
    );
  },
};
