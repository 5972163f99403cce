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

/**
 * glibc malloc settings for a process that runs the core, read by glibc once as the process starts
 * (so given in the launcher's env, as the V8 flags are in its argv; ignored where malloc is not
 * glibc's). Measured with the scale bench at 1M bookings + 20k offerings (bench/scale.ts):
 *
 * - MALLOC_MMAP_THRESHOLD_: glibc raises its mmap threshold (up to 32 MB) each time a block it had
 *   mmap'd is freed, and its trim threshold with it (twice that). From then on blocks up to that size
 *   (the availability body's 1 MB pieces, SQLite's sorter and statement buffers) come from the arena
 *   and stay there once freed: an arena gives memory back only from its top, and only past the trim
 *   threshold. A fixed threshold stops that, and keeps the trim threshold at its 128 kB default: blocks
 *   of 1 MB and more are mmap'd and unmapped on free, and an arena's free top is trimmed past 128 kB.
 *   1 MB, not glibc's 128 kB default: at 128 kB every HTTP body and sort buffer above it was a fresh
 *   mapping, and the 1M sync's engine thread used 31.9 s of CPU against 25.3-27.2 s at 1 MB.
 * - MALLOC_ARENA_MAX: each thread that allocates gets an arena of its own (up to 8 per core: the
 *   pull's apply worker, the checkpoint worker that builds the search index, libuv's and V8's
 *   helpers), each keeping what its thread freed for that thread alone, also after the thread ended
 *   (the two workers end with the sync). Two arenas share it.
 */
export const engineMallocEnv: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '1048576' };

/** The entries of `engineMallocEnv` this process's env lacks (empty when it already has them). */
export function missingEngineEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(Object.entries(engineMallocEnv).filter(([k, v]) => env[k] !== v));
}
