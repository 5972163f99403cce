/**
 * The one way tests run the CLI (`bin/orkestr-console.mjs`) as a real process: with the project's
 * Node 24 (the system Node may be older), its output collected, and always bounded by a timeout, so a
 * hung child fails the test with what it printed instead of hanging the suite.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { vi } from 'vitest';
import { waitFor } from './wait-for.ts';

export const repoRoot = join(import.meta.dirname, '..', '..');
export const cliPath = join(repoRoot, 'bin', 'orkestr-console.mjs');

/**
 * Node 24 or newer: the Node running the tests when it is one (npm scripts and npx put the pinned
 * devDependency first on PATH), else the pinned one in node_modules.
 */
export const node24: string = Number(process.versions.node.split('.')[0]) >= 24 ? process.execPath : join(repoRoot, 'node_modules', '.bin', 'node');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** The child is killed (SIGKILL) after this long and the result rejects; default 60 s. */
  timeoutMs?: number;
  /** Another Node script to run instead of the CLI (e.g. a cut-down entry point), same handling. */
  script?: string;
  /** Written to the child's stdin, which is then closed (default: no stdin). */
  stdin?: string;
}

export interface CliProcess {
  child: ChildProcess;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited (it never rejects; `code`/`signal` say how). */
  exited: Promise<CliResult>;
  /** Waits until stdout + stderr match; fails early, with the output, when the process exits first. */
  waitForOutput(pattern: RegExp, what: string, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Sends a signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<CliResult>;
}

/** Starts the CLI (or `options.script`) and returns at once; for long-running commands (serve, relay, sync). */
export function spawnCli(args: readonly string[], options: CliOptions = {}): CliProcess {
  const child = spawn(node24, [options.script ?? cliPath, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, ...options.env },
    stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (options.stdin !== undefined) child.stdin!.end(options.stdin);
  let stdout = '';
  let stderr = '';
  let done: CliResult | null = null;
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<CliResult>((resolve) => {
    child.once('close', (code, signal) => {
      done = { code, signal, stdout, stderr };
      resolve(done);
    });
    child.once('error', (error) => {
      stderr += `\n[spawn error] ${error.message}`;
      done = { code: null, signal: null, stdout, stderr };
      resolve(done);
    });
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  killer.unref();
  void exited.then(() => clearTimeout(killer));
  return {
    child,
    get pid() {
      return child.pid ?? -1;
    },
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    async waitForOutput(pattern, what, timeoutMs = 30_000) {
      return waitFor(
        () => {
          const match = pattern.exec(stdout + stderr);
          if (match) return match;
          if (done) throw new Error(`the process exited (code ${String(done.code)}, signal ${String(done.signal)}) before ${what}:\n${stdout}\n${stderr}`);
          return null;
        },
        what,
        timeoutMs,
      );
    },
    async stop(signal = 'SIGTERM') {
      if (!done) child.kill(signal);
      return exited;
    },
  };
}

/** Runs the CLI to its end; rejects with its output when it outlives `timeoutMs` (default 60 s). */
export async function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const started = spawnCli(args, { ...options, timeoutMs });
  const result = await started.exited;
  if (result.signal === 'SIGKILL' && result.code === null) {
    throw new Error(`orkestr-console ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
  return result;
}

/**
 * Runs the CLI's main() in this process (what bin/orkestr-console.mjs calls), with console.log and
 * console.error collected: for many short invocations, where a process each would cost seconds.
 */
export async function runMain(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    // Loaded on first use: most users of this file only spawn processes.
    const { main } = await import('../../src/main/cli/main.ts');
    const code = await main(argv);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}
