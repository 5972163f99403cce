import type { ConsoleCore } from '../src/main/core/index.ts';

/** One contract call as the core's handler ran it: wall time and the process's CPU meanwhile. */
export interface TimedCall {
  name: string;
  input: unknown;
  out: unknown;
  /** performance.now() when the handler was called. */
  start: number;
  ms: number;
  cpuMs: number;
}

/**
 * Wraps each of the core's contract handlers so that every call is timed and handed to `record`;
 * shared by the UI diagnostics (bench/_ui-probe.ts, bench/_ui-cold-probe.ts). Diagnostics only: the
 * wrapper itself costs a little per call.
 */
export function timeHandlers(core: ConsoleCore, record: (call: TimedCall) => void): void {
  const handlers = core.handlers as unknown as Record<string, (input: unknown) => unknown>;
  for (const name of Object.keys(handlers)) {
    const real = handlers[name]!;
    handlers[name] = async (input: unknown) => {
      const start = performance.now();
      const cpu = process.cpuUsage();
      const out = await real(input);
      const c = process.cpuUsage(cpu);
      record({ name, input, out, start, ms: performance.now() - start, cpuMs: (c.user + c.system) / 1000 });
      return out;
    };
  }
}
