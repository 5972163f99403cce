/**
 * What the benches watch while something long runs: the engine loop's longest block
 * (monitorEventLoopDelay) and the latency of contract calls made meanwhile. A call is due every
 * `everyMs`; its latency runs from when it was due (as if a request had arrived then) to its answer,
 * so time spent waiting for a blocked loop counts. Calls rotate over `calls`; figures are per method.
 */
import { loadavg, availableParallelism } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export type Call = [method: string, run: () => unknown];

export interface ProbeReport {
  longestBlockMs: number;
  loopP99Ms: number;
  calls: number;
  p99Ms: number;
  maxMs: number;
  byMethod: Map<string, number[]>;
  errors: string[];
}

export function startProbe(calls: Call[], everyMs = 20): { stop(): ProbeReport; peek(): ProbeReport } {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const byMethod = new Map<string, number[]>();
  let stopped = false;
  const errors: string[] = [];
  let k = 0;
  const t0 = performance.now();
  const issue = (): void => {
    const due = t0 + k * everyMs;
    const [method, run] = calls[k % calls.length]!;
    k++;
    const record = (): void => {
      const list = byMethod.get(method) ?? [];
      list.push(performance.now() - due);
      byMethod.set(method, list);
    };
    void Promise.resolve()
      .then(run)
      .then(record, (e: unknown) => {
        errors.push(`${method}: ${(e as Error).message}`);
        record();
      });
  };
  const tick = (): void => {
    if (stopped) return;
    // Every call that fell due while the loop was busy goes out now, together, as requests that
    // arrived meanwhile would be read in one poll of the socket. Issuing one per timer callback
    // instead held each next one a loop turn more (a timer set from a timer runs in the next turn),
    // so after one 30 ms step the later calls waited a step each: latency the probe made up.
    do issue();
    while (t0 + k * everyMs <= performance.now());
    // The next call is due on its own schedule, however late this one was.
    setTimeout(tick, Math.max(0, t0 + k * everyMs - performance.now()));
  };
  setTimeout(tick, 0);
  const report = (): ProbeReport => {
    const all = [...byMethod.values()].flat().sort((a, b) => a - b);
    return { longestBlockMs: h.max / 1e6, loopP99Ms: h.percentile(99) / 1e6, calls: all.length, p99Ms: pct(all, 0.99), maxMs: all.at(-1) ?? 0, byMethod: new Map(byMethod), errors: [...errors] };
  };
  return {
    /** The figures so far (long runs print them as they go). */
    peek: report,
    stop(): ProbeReport {
      stopped = true;
      h.disable();
      const all = [...byMethod.values()].flat().sort((a, b) => a - b);
      return { longestBlockMs: h.max / 1e6, loopP99Ms: h.percentile(99) / 1e6, calls: all.length, p99Ms: pct(all, 0.99), maxMs: all.at(-1) ?? 0, byMethod, errors };
    },
  };
}

export const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

export function printProbe(label: string, r: ProbeReport): void {
  const ok = (v: number, t: number): string => (v <= t ? 'OK' : 'OVER');
  console.log(`${label}: longest loop block ${r.longestBlockMs.toFixed(1)} ms (loop p99 ${r.loopP99Ms.toFixed(1)} ms; target ≤ 50 ms ${ok(r.longestBlockMs, 50)})`);
  console.log(`${label}: ${r.calls} contract calls meanwhile, p99 ${r.p99Ms.toFixed(1)} ms, max ${r.maxMs.toFixed(1)} ms (target p99 ≤ 50 ms ${ok(r.p99Ms, 50)})`);
  if (r.errors.length > 0) console.log(`${label}: ${r.errors.length} calls failed, first: ${r.errors[0]}`);
  for (const [method, xs] of r.byMethod) {
    const s = xs.slice().sort((a, b) => a - b);
    console.log(`    ${method.padEnd(28)} n=${String(s.length).padStart(5)}  p50 ${pct(s, 0.5).toFixed(1)} ms  p99 ${pct(s, 0.99).toFixed(1)} ms  max ${(s.at(-1) ?? 0).toFixed(1)} ms`);
  }
}

export const load = (): string => `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${availableParallelism()} cores`;
