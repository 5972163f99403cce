/**
 * The relay as its own deployable: `node src/relay/main.ts --store … --admin-token …` (Node ≥ 24).
 * Same options as `orkestr-console relay`, but it loads only the relay's modules (ws, pg,
 * better-sqlite3), so a server install needs no desktop dependencies (`npm ci --omit=dev`).
 */
import { CliError, UsageError, exitCodes, parseCommandArgs } from '../main/cli/command.ts';
import { relayCommand } from '../main/cli/commands/relay.ts';

async function main(argv: string[]): Promise<number> {
  try {
    const args = parseCommandArgs(relayCommand, argv);
    if (args.values['help']) {
      console.log(`Usage: node src/relay/main.ts ${relayCommand.usage.replace(/^relay /, '')}\n\n${relayCommand.summary}`);
      return exitCodes.ok;
    }
    return await relayCommand.run(args);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`relay: ${error.message}. Run with --help.`);
      return exitCodes.usage;
    }
    console.error(`relay: ${error instanceof CliError ? error.message : ((error as Error)?.stack ?? String(error))}`);
    return exitCodes.failure;
  }
}

process.exitCode = await main(process.argv.slice(2));
