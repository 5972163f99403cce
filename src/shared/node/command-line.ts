/**
 * Command-line plumbing shared by the desktop CLI (src/main/cli) and the relay's own entry point
 * (src/relay/main.ts): one command shape, one option parser, one mapping of errors to exit codes.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** One command (`orkestr-console <name>`, or a deployable's whole command line). */
export interface Command {
  name: string;
  summary: string;
  /** Usage lines shown by `--help`, without the program name. */
  usage: string;
  /** Option definitions for node:util parseArgs; `help` is added for every command. */
  options: NonNullable<ParseArgsConfig['options']>;
  allowPositionals?: boolean;
  run(args: ParsedArgs): Promise<number>;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/** A wrong invocation: reported in one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure worth one clear line to the user, exit code 1. */
export class CliError extends Error {
  override name = 'CliError';
}

export const exitCodes = { ok: 0, failure: 1, usage: 2 } as const;

export function parseCommandArgs(command: Command, argv: string[]): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: command.allowPositionals ?? false,
      strict: true,
    });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function requiredString(args: ParsedArgs, name: string): string {
  const value = stringOption(args, name);
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

export function integerOption(args: ParsedArgs, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = stringOption(args, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

export function stringListOption(args: ParsedArgs, name: string): string[] {
  const value = args.values[name];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}

/** Resolves when SIGINT/SIGTERM arrives, so long-running commands can shut down cleanly. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/**
 * Parses `argv` for `command`, answers `--help`, runs it, and turns what it throws into the exit code
 * and one line on stderr: 2 for wrong usage, 1 for a failure. `label` prefixes the messages
 * (e.g. "orkestr-console relay"); `help` is printed for --help; `usageHint` ends a usage error's line.
 */
export async function runCommand(command: Command, argv: string[], text: { label: string; help: string; usageHint: string }): Promise<number> {
  try {
    const args = parseCommandArgs(command, argv);
    if (args.values['help']) {
      console.log(text.help);
      return exitCodes.ok;
    }
    return await command.run(args);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${text.label}: ${error.message}. ${text.usageHint}`);
      return exitCodes.usage;
    }
    // Errors that already say what to do (CliError, or any marked `userFacing`, e.g. a damaged
    // replica) print their message; anything else is a bug and prints its stack.
    const userFacing = error instanceof CliError || (error as { userFacing?: unknown } | null)?.userFacing === true;
    const message = userFacing ? (error as Error).message : ((error as Error)?.stack ?? String(error));
    console.error(`${text.label}: ${message}`);
    return exitCodes.failure;
  }
}
