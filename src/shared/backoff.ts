/**
 * Exponential back-off with jitter: the one formula behind every retry and reconnect of the console
 * (sync retries in the core, engine restarts in the supervisor, the relay stream client, the
 * renderer's event socket). Each caller keeps its own base and cap.
 *
 * Attempt 1 waits between base/2 and base, attempt 2 between base and 2·base, and so on, never over
 * the cap. Half the delay is fixed and half random ("equal jitter"): a retry never fires at once, and
 * many clients that failed together spread out.
 *
 * Browser-safe (no Node, no zod): the renderer imports it too. Hand-written rather than a retry
 * library because every caller owns its loop (Retry-After, abort signals, handler order) and needs
 * only the delay.
 */
export function backoffMs(attempt: number, baseMs = 1000, capMs = 60_000, random: () => number = Math.random): number {
  // The exponent stops at 30: far past any cap, and base·2^n stays finite (no Infinity·0 = NaN).
  const exponent = Math.min(30, Math.max(0, attempt - 1));
  const ceiling = Math.min(capMs, baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
