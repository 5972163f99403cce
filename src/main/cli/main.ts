import { exitCodes, runCommand, type Command } from './command.ts';
import { commands } from './commands/index.ts';

const program = 'orkestr-console';

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `Usage: ${program} <command> [options]`,
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `Run "${program} <command> --help" for a command's options.`,
  ].join('\n');
}

function commandHelp(command: Command): string {
  return [`Usage: ${program} ${command.usage}`, '', command.summary].join('\n');
}

/** Runs the CLI and returns the process exit code: 0 ok, 1 failure, 2 bad usage (`sync --once`: 3 when the server refused queued actions). */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(overview());
    return name === undefined ? exitCodes.usage : exitCodes.ok;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`${program}: unknown command "${name}". Run "${program} --help" for the list.`);
    return exitCodes.usage;
  }
  return runCommand(command, rest, {
    label: `${program} ${command.name}`,
    help: commandHelp(command),
    usageHint: `Run "${program} ${command.name} --help".`,
  });
}
