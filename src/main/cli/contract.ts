/**
 * How CLI commands reach the core: the contract, through dispatchCall (the same validation and error
 * mapping as the window's), on a replica opened offline. A BAD_INPUT answer is a usage error (exit 2),
 * any other refusal a failure (exit 1) with the core's own words.
 */
import { existsSync } from 'node:fs';
import type { ConsoleCore } from '../core/index.ts';
import type { MethodInput, MethodName, MethodResults } from '../../shared/contract/types.ts';
import { CliError, UsageError, requiredString, type ParsedArgs } from './command.ts';

export type Call = <M extends MethodName>(method: M, input: MethodInput<M>) => Promise<MethodResults[M]>;

/** The one sentence for a replica that is not there yet. */
export function missingReplica(dbFile: string): CliError {
  return new CliError(`no replica at ${dbFile}: run sync first to create it (orkestr-console sync --api URL --key KEY --db ${dbFile} --once)`);
}

/** Throws "run sync first" when the replica file does not exist. */
export function requireReplica(dbFile: string): void {
  if (!existsSync(dbFile)) throw missingReplica(dbFile);
}

/**
 * A contract caller over an already open core. With `dbFile`, a replica another process kept locked
 * past the busy timeout is reported by the process holding it (not as a raw SQLite message).
 */
export async function contractCaller(core: ConsoleCore, dbFile?: string): Promise<Call> {
  const { dispatchCall } = await import('../dispatch.ts');
  const { explainReplicaError } = await import('../core/index.ts');
  return async (method, input) => {
    const out = await dispatchCall(core, method, input);
    if (out.ok) return out.result as MethodResults[typeof method];
    if (out.error.code === 'BAD_INPUT') throw new UsageError(out.error.message.replace(/\.$/, ''));
    if (dbFile && out.error.code === 'INTERNAL') throw new CliError(explainReplicaError(new Error(out.error.message), dbFile).message);
    throw new CliError(out.error.message);
  };
}

/**
 * Opens the replica named by `--db` (it must exist: "run sync first" otherwise), offline (intents are
 * only queued; `sync` sends them), runs `fn` with a contract caller, and closes it.
 */
export async function withContract<T>(args: ParsedArgs, fn: (call: Call, core: ConsoleCore) => Promise<T>): Promise<T> {
  const dbFile = requiredString(args, 'db');
  requireReplica(dbFile);
  const { createCore, explainReplicaError } = await import('../core/index.ts');
  let core: ConsoleCore;
  try {
    core = createCore({ dbFile, transport: 'bridge', appVersion: 'cli', holdMs: 0 });
  } catch (error) {
    throw new CliError(`cannot open ${dbFile}: ${explainReplicaError(error, dbFile).message}`);
  }
  try {
    return await fn(await contractCaller(core, dbFile), core);
  } finally {
    await core.close();
  }
}

/** The only positional argument a command takes (a booking, intent or conflict id). */
export function oneId(args: ParsedArgs, what: string, from = 0): string {
  const rest = args.positionals.slice(from);
  const [id, ...extra] = rest;
  if (!id) throw new UsageError(`${what} is required`);
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  return id;
}

/** A whole-number option handed to the contract as a number (the schema says what is allowed). */
export function numberArg(args: ParsedArgs, name: string): number | undefined {
  const raw = args.values[name];
  if (typeof raw !== 'string') return undefined;
  if (!/^-?\d+$/.test(raw)) throw new UsageError(`--${name} must be a whole number, got "${raw}"`);
  return Number(raw);
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Minor units as `USD 120.00`. */
export function money(cents: number, currency: string): string {
  return `${currency} ${(cents / 100).toFixed(2)}`;
}
