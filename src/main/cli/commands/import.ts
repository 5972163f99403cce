import { existsSync, writeFileSync } from 'node:fs';
import { ReplicaImportSink, analyzeImport, changeLines, columnHelpCsv, commitImportStaged, createCore, describeCounts, normalizeDelimiter, normalizeEncoding, templateCsv, writeErrorReport, type ImportAnalysis, type ImportAnalysisView, type ImportProgress } from '../../core/index.ts';
import { CliError, UsageError, stringOption, type Command } from '../command.ts';

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

/** Every existing offering the file changes, field by field (old -> new), and the rows that unpublish one. */
function printChanges(a: ImportAnalysis, maxOfferings: number): void {
  const updates = a.plan.filter((p) => p.action === 'update');
  for (const p of updates.slice(0, maxOfferings)) {
    console.error(`update "${p.slug}" (line ${p.line}):`);
    for (const line of changeLines(p.changes ?? [])) console.error(line);
    if (p.rulesChanged) console.error(`  availability: replaced by the file's ${p.rules?.length ?? 0} weekly rule(s)`);
  }
  if (updates.length > maxOfferings) console.error(`… and ${updates.length - maxOfferings} more offerings to update (use --json for all)`);
  for (const u of a.view.unpublishes) console.error(`unpublish: "${u.slug}" (${u.title}) is PUBLISHED; line ${u.line} makes it ${u.to}`);
}

/**
 * Progress on stderr (stdout stays the report): a line at every tenth of the check and of the
 * commit, so a 100k-row import shows it is moving.
 */
function progressPrinter(): (p: ImportProgress) => void {
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
      if (template) writeFileSync(template, templateCsv());
      if (helpColumns) writeFileSync(helpColumns, columnHelpCsv());
      console.error(`wrote ${[template, helpColumns].filter(Boolean).join(' and ')}`);
      return 0;
    }
    if (args.positionals.length !== 1) throw new UsageError('give exactly one CSV file (or --template OUT)');
    const file = args.positionals[0] as string;
    const db = stringOption(args, 'db');
    if (!db) throw new UsageError('--db is required');
    let delimiter;
    let encoding;
    try {
      const d = stringOption(args, 'delimiter');
      delimiter = d === undefined ? undefined : normalizeDelimiter(d);
      const e = stringOption(args, 'encoding');
      encoding = e === undefined ? undefined : normalizeEncoding(e);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const maxRaw = stringOption(args, 'max-issues') ?? '200';
    if (!/^\d+$/.test(maxRaw)) throw new UsageError('--max-issues must be a whole number');
    if (!existsSync(file)) throw new CliError(`${file}: no such file`);
    const json = args.values['json'] === true;
    const dryRun = args.values['dry-run'] === true;
    const allowUnpublish = args.values['allow-unpublish'] === true;

    // A core over the replica (not started: nothing is sent), for the session's scopes.
    const core = createCore({ dbFile: db, transport: 'bridge', appVersion: 'cli', holdMs: 0 });
    const replica = core.replica;
    try {
      const sink = new ReplicaImportSink(replica);
      const timezone = (JSON.parse(replica.getMeta('tenant') ?? 'null') as { timezone?: string } | null)?.timezone ?? null;
      const analysis = await analyzeImport({ kind: 'file', path: file }, { existing: sink.loadExisting(), timezone, onProgress: progressPrinter(), ...(delimiter ? { delimiter } : {}), ...(encoding ? { encoding } : {}) });
      const reportOut = stringOption(args, 'report');
      if (reportOut) await writeErrorReport(reportOut, analysis.view.issues, analysis.source, { delimiter: analysis.parse.delimiter, encoding: analysis.parse.decode.encoding });
      const session = core.session();
      const unconfirmed = analysis.ok && analysis.view.unpublishes.length > 0 && !allowUnpublish;
      const readOnly = analysis.ok && !dryRun && !unconfirmed && !session.writable;
      let commit = null;
      if (analysis.ok && !dryRun && !unconfirmed && !readOnly) commit = await commitImportStaged(analysis, sink, { allowUnpublish, onProgress: progressPrinter() });
      if (json) {
        const out = { ...analysis.view, dryRun, committed: commit !== null, commit: commit ? { ...commit, ids: Object.fromEntries(commit.ids) } : null };
        process.stdout.write(JSON.stringify(out, null, 2) + '\n');
      } else {
        printView(analysis.view, Number(maxRaw));
        printChanges(analysis, Number(maxRaw));
      }
      if (!analysis.ok) {
        if (!json) console.error(`not imported: ${analysis.view.errorCount} error(s); nothing was written`);
        return 1;
      }
      if (unconfirmed) {
        const slugs = analysis.view.unpublishes.map((u) => `"${u.slug}"`).join(', ');
        console.error(`not imported: the file would take PUBLISHED offering(s) ${slugs} off sale; check the rows, or confirm with --allow-unpublish. Nothing was written`);
        return 1;
      }
      if (readOnly) {
        console.error(`not imported: ${session.readOnlyReason ?? 'the API key is read-only.'} Nothing was written`);
        return 1;
      }
      if (!json) {
        if (commit) {
          console.log(`imported batch ${commit.batchId}: ${commit.created} created, ${commit.updated} updated, ${commit.unchanged} unchanged, ${commit.rules} availability rules (local only: v1 has no availability write endpoint), ${commit.intents} intents queued`);
        } else console.log('dry run: the file is accepted; nothing was written');
      }
      return 0;
    } finally {
      await core.close();
    }
  },
};
