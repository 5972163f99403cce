/**
 * How CLI commands reach the core: the contract, through dispatchCall (the same validation and error
 * mapping as the window's), on a replica opened offline. A BAD_INPUT answer is a usage error (exit 2),
 * any other refusal a failure (exit 1) with the core's own words. Commands turn options into contract
 * input and leave the checking of values to the contract's schemas; `checkInput` runs those schemas
 * before a replica is opened, so a wrong value never creates or touches a file.
 */
import { existsSync } from 'node:fs';
import type { ConsoleCore } from '../core/index.ts';
import { parseCall } from '../../shared/contract/schemas.ts';
import { ContractError, type ContractErrorShape, type MethodInput, type MethodName, type MethodResults } from '../../shared/contract/types.ts';
import { CliError, UsageError, requiredString, type ParsedArgs } from './command.ts';

export type Call = <M extends MethodName>(method: M, input: MethodInput<M>) => Promise<MethodResults[M]>;

/** A refusal by the core other than bad input (exit 1), with the contract's code (READ_ONLY, NOT_FOUND, …). */
export class RefusedError extends CliError {
  override name = 'RefusedError';
  readonly code: ContractErrorShape['code'];
  constructor(code: ContractErrorShape['code'], message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * Contract field paths → the options they came from (`{ 'filters.pastDays': '--past-days' }`), so a
 * refusal names both: "--past-days (filters.pastDays): Too small…".
 */
export type FlagNames = Readonly<Record<string, string>>;

/** The usage error (exit 2) for a BAD_INPUT answer: the contract's message, with option names added. */
function badInput(error: ContractErrorShape, flags: FlagNames): UsageError {
  const message = error.message.replace(/\.$/, '');
  // `statuses.0` comes from the option named for `statuses`.
  const flagOf = (path: string): string | undefined => {
    for (let p = path; p; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') if (flags[p]) return flags[p];
    return undefined;
  };
  const fields = error.fields ?? [];
  if (!fields.some((f) => flagOf(f.path))) return new UsageError(message);
  // A schema refusal ("Invalid input for m: a: …; b: …") is rebuilt field by field; a handler's own
  // sentence is kept, with the options it is about.
  if (!message.startsWith('Invalid input for ')) return new UsageError(`${message} (${fields.map((f) => flagOf(f.path) ?? f.path).join(', ')})`);
  const head = message.slice(0, message.indexOf(': '));
  return new UsageError(`${head}: ${fields.map((f) => `${flagOf(f.path) ? `${flagOf(f.path)} (${f.path})` : f.path}: ${f.message}`).join('; ')}`);
}

/**
 * Runs the contract's schema for `method` over `input` (as dispatchCall will again when it is sent),
 * before any replica is opened. Returns the input typed for the call; bad input is a usage error.
 */
export function checkInput<M extends MethodName>(method: M, input: unknown, flags: FlagNames = {}): MethodInput<M> {
  try {
    parseCall(method, input);
  } catch (error) {
    if (error instanceof ContractError) throw badInput(error.toJSON(), flags);
    throw error;
  }
  return input as MethodInput<M>;
}

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
export async function contractCaller(core: ConsoleCore, dbFile?: string, flags: FlagNames = {}): Promise<Call> {
  const { dispatchCall } = await import('../dispatch.ts');
  const { explainReplicaError } = await import('../core/index.ts');
  return async (method, input) => {
    const out = await dispatchCall(core, method, input);
    if (out.ok) return out.result as MethodResults[typeof method];
    if (out.error.code === 'BAD_INPUT') throw badInput(out.error, flags);
    if (dbFile && out.error.code === 'INTERNAL') throw new CliError(explainReplicaError(new Error(out.error.message), dbFile).message);
    throw new RefusedError(out.error.code, out.error.message);
  };
}

export interface ContractOptions {
  /** Make the replica when the file is absent (the importer's first run) instead of "run sync first". */
  create?: boolean;
  flags?: FlagNames;
}

/**
 * Opens the replica named by `--db` (it must exist: "run sync first" otherwise), offline (intents are
 * only queued; `sync` sends them), runs `fn` with a contract caller, and closes it.
 */
export async function withContract<T>(args: ParsedArgs, fn: (call: Call, core: ConsoleCore) => Promise<T>, options: ContractOptions = {}): Promise<T> {
  const dbFile = requiredString(args, 'db');
  if (!options.create) requireReplica(dbFile);
  const { createCore, explainReplicaError } = await import('../core/index.ts');
  let core: ConsoleCore;
  try {
    core = createCore({ dbFile, transport: 'bridge', appVersion: 'cli', holdMs: 0 });
  } catch (error) {
    throw new CliError(`cannot open ${dbFile}: ${explainReplicaError(error, dbFile).message}`);
  }
  try {
    return await fn(await contractCaller(core, dbFile, options.flags), core);
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

/** Through console.log (the same bytes as a stdout write), so tests that run main() in-process see it. */
export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/** Minor units as `USD 120.00`. */
export function money(cents: number, currency: string): string {
  return `${currency} ${(cents / 100).toFixed(2)}`;
}

/**
 * An ISO date or date-time option in the contract's form (an instant with an offset): a bare date is
 * midnight UTC, a time without an offset is UTC. Anything else is passed on as typed, for the contract
 * to refuse with its own message.
 */
export function instantArg(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ok = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value);
  const t = ok ? Date.parse(/T/.test(value) && !/(Z|[+-]\d{2}:?\d{2})$/.test(value) ? `${value}Z` : value) : NaN;
  return Number.isFinite(t) ? new Date(t).toISOString() : value;
}

/** Repeated `--status` values, upper-cased (the contract checks them); none → undefined. */
export function statusesArg(values: string[]): string[] | undefined {
  return values.length === 0 ? undefined : values.map((v) => v.toUpperCase());
}
