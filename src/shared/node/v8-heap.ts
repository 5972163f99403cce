/**
 * How big V8 may let the young generation grow in the processes and threads that host the core.
 *
 * A sync parses a 500-row page of JSON many times a second and keeps almost none of it; V8 answers
 * that churn by growing the young generation towards its maximum (tens of MB per semi-space on a
 * machine with this much memory) and keeps the pages it grew. In the scale bench at 300k bookings
 * the engine's heap was 26 MB used of 151 MB committed at the RSS peak (368 MB); with 4 MB
 * semi-spaces 26 of 48 MB, and the peak 284 MB, at the same sync time (ratio 1.14–1.24 vs 1.17).
 * Worker threads take the bound as a resource limit (a young generation is about three semi-spaces).
 */
export const ENGINE_SEMI_SPACE_MB = 4;

/** Flags for a Node or Electron process that runs the core (fork/utilityProcess execArgv). */
export const engineV8Flags: readonly string[] = [`--max-semi-space-size=${ENGINE_SEMI_SPACE_MB}`];

/** `resourceLimits.maxYoungGenerationSizeMb` for the core's worker threads. */
export const WORKER_YOUNG_GENERATION_MB = 8;

/** The flags missing from this process's own `execArgv` (empty when it already runs with them). */
export function missingEngineFlags(execArgv: readonly string[] = process.execArgv): string[] {
  return engineV8Flags.filter((flag) => !execArgv.includes(flag));
}
