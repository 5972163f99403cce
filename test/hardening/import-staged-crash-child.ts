// Child process for import-staged-crash.test.ts: commits a checked plan with the staged commit (what
// the console and the CLI run) and SIGKILLs itself at a named point: after staging step N
// (`stage:N`), right after the decision (`decided`), after moving step N (`move:N`), or never
// (`none`); `random:MS` leaves the kill to the parent. Says "committing" first, "committed …" after.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { commitPlanStaged, type PlannedOffering } from '../../src/main/core/import/index.ts';
import { ReplicaImportSink } from '../../src/main/core/import/replica-sink.ts';
import { Replica } from '../../src/main/core/replica/replica.ts';

const [planFile, db, killAt = 'none'] = process.argv.slice(2) as [string, string, string?];
const plan = JSON.parse(readFileSync(planFile, 'utf8')) as PlannedOffering[];
const replica = Replica.open(db);
const sink = new ReplicaImportSink(replica);
const steps = { stage: 0, decided: 0, move: 0 };
process.stdout.write('committing\n');
const started = performance.now();
const result = await commitPlanStaged(plan, 0, sink, {
  batchId: `imp_${randomUUID()}`,
  fileName: 'catalogue.csv',
  afterStep: (phase) => {
    steps[phase]++;
    if (killAt === phase || killAt === `${phase}:${steps[phase]}`) process.kill(process.pid, 'SIGKILL');
  },
});
process.stdout.write(`committed ${result.created} in ${Math.round(performance.now() - started)} ms after ${steps.stage} staging and ${steps.move} moving steps\n`);
replica.close();
