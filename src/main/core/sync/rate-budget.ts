/**
 * One request budget shared by pull and push. A token bucket mirrors the server's per-key bucket
 * (capacity learnt from `X-RateLimit-Limit`, level corrected by `X-RateLimit-Remaining`), and a 429's
 * `Retry-After` stops *every* request until it has passed. User actions (pushing intents) come first:
 * background work (pull, polling) waits while a user request is waiting, and leaves a reserve of
 * tokens untouched so a click never waits behind a bulk sync.
 */
export type Priority = 'user' | 'background';

export class RateBudget {
  #capacity: number;
  #tokens: number;
  #last = Date.now();
  #blockedUntil = 0;
  #userWaiting = 0;

  constructor(perMinute = 1000) {
    this.#capacity = perMinute;
    this.#tokens = perMinute;
  }

  get blockedUntil(): number {
    return this.#blockedUntil;
  }

  #refill(now: number): void {
    const elapsed = Math.max(0, now - this.#last);
    this.#last = now;
    this.#tokens = Math.min(this.#capacity, this.#tokens + (elapsed * this.#capacity) / 60_000);
  }

  #reserve(priority: Priority): number {
    return priority === 'user' ? 0 : Math.min(20, Math.floor(this.#capacity * 0.1));
  }

  /** Milliseconds to wait before a request of this priority may go (0 = now, and the token is taken). */
  tryTake(priority: Priority, now = Date.now()): number {
    this.#refill(now);
    if (now < this.#blockedUntil) return this.#blockedUntil - now;
    if (priority === 'background' && this.#userWaiting > 0) return 25;
    const need = 1 + this.#reserve(priority);
    if (this.#tokens >= need) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.max(10, Math.ceil(((need - this.#tokens) * 60_000) / this.#capacity));
  }

  /** Waits until a request may go. Rejects when `signal` aborts. */
  async acquire(priority: Priority, signal?: AbortSignal): Promise<void> {
    if (priority === 'user') this.#userWaiting++;
    try {
      for (;;) {
        signal?.throwIfAborted();
        const wait = this.tryTake(priority);
        if (wait === 0) return;
        await sleep(Math.min(wait, 1000), signal);
      }
    } finally {
      if (priority === 'user') this.#userWaiting--;
    }
  }

  /** Learns from a response's rate-limit headers. */
  observe(headers: Headers): void {
    const limit = Number(headers.get('x-ratelimit-limit'));
    const remaining = Number(headers.get('x-ratelimit-remaining'));
    if (Number.isFinite(limit) && limit > 0 && limit !== this.#capacity) {
      this.#capacity = limit;
      this.#tokens = Math.min(this.#tokens, limit);
    }
    if (headers.get('x-ratelimit-remaining') !== null && Number.isFinite(remaining)) {
      this.#refill(Date.now());
      this.#tokens = Math.min(this.#tokens, Math.max(0, remaining));
    }
  }

  /** A 429 (or 503 with Retry-After): nobody sends before `ms` from now. */
  block(ms: number): void {
    this.#blockedUntil = Math.max(this.#blockedUntil, Date.now() + ms);
    this.#tokens = 0;
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason ?? new Error('aborted'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
