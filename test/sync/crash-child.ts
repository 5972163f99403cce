// Child process for crash.test.ts: runs one CLI command (sync / approve) exactly as
// `orkestr-console` does, but without loading the other commands' modules, so each of the hundreds
// of restarts costs less start-up time. Exit codes as the CLI: 0 ok, 1 failure, 2 usage.
import { CliError, UsageError, parseCommandArgs } from '../../src/main/cli/command.ts';
import { approveCommand } from '../../src/main/cli/commands/intent.ts';
import { syncCommand } from '../../src/main/cli/commands/sync.ts';

const [name, ...rest] = process.argv.slice(2);
const command = name === 'sync' ? syncCommand : name === 'approve' ? approveCommand : null;
if (!command) {
  console.error(`crash-child: unknown command ${name}`);
  process.exit(2);
}
try {
  process.exitCode = await command.run(parseCommandArgs(command, rest));
} catch (error) {
  console.error(`crash-child ${name}: ${(error as Error).message}`);
  process.exitCode = error instanceof UsageError ? 2 : error instanceof CliError ? 1 : 1;
}
