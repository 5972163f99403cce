// Child process for import-crash.test.ts: commits a checked catalogue (the plan the check made,
// read from a JSON file so that each of the many lives spends its time in the commit, not in
// re-reading 10,000 rows) with the importer's own commit, as the CLI and the wizard run it. It says
// "committing" on stdout first and "committed …" after; the test SIGKILLs it in between.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { commitPlan, type PlannedOffering } from '../../src/main/core/import/index.ts';
import { ReplicaImportSink } from '../../src/main/core/import/replica-sink.ts';
import { Replica } from '../../src/main/core/replica/replica.ts';

const [planFile, db] = process.argv.slice(2) as [string, string];
const plan = JSON.parse(readFileSync(planFile, 'utf8')) as PlannedOffering[];
const replica = Replica.open(db);
const sink = new ReplicaImportSink(replica);
process.stdout.write('committing\n');
const started = performance.now();
const result = commitPlan(plan, 0, sink, { batchId: `imp_${randomUUID()}`, fileName: 'catalogue.csv' });
process.stdout.write(`committed ${result.created} in ${Math.round(performance.now() - started)} ms\n`);
replica.close();
