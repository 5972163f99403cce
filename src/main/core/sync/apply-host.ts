/**
 * The engine's side of the pull's apply worker (apply-worker.ts): the Puller fetches and parses pages
 * on the engine's thread and hands them here; the worker writes them from its own connection and
 * answers, after each group commit, which pages (ids, new PENDING bookings, rows seen) are now in
 * the file, which is when the Puller reports them (events, progress) — this thread's connection sees
 * them from then on, and caches over the truth version move by themselves (PRAGMA data_version).
 *
 * Writes on this thread (an approve → outbox) go through `Replica.transaction`, which raises the
 * write gate first: the worker commits its open group at its next slice (or at once when idle) and
 * waits until the write is done, so this thread waits for a commit at most, never for a group.
 *
 * One worker per replica file, started by the core (`ConsoleCore.start` / `runOnce`) and stopped
 * with the sync; a worker that dies fails the pull under way, and the next pull starts another.
 * With `idleStopMs` it also stops once no pull has used it for that long, and the next pull that
 * wants it starts it again (`warm`/`begin`).
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Replica } from '../replica/replica.ts';
import type { PageToApply } from './apply-page.ts';
import { GATE_HOLD, GATE_WANT, type AppliedPage, type ToHost, type ToWorker } from './apply-protocol.ts';
import { WORKER_YOUNG_GENERATION_MB } from '../../../shared/node/v8-heap.ts';

/** Pages posted and not yet applied: the fetch runs this far ahead of the writes (memory stays bounded). */
export const PAGES_IN_FLIGHT = 2;
/** The availability answer goes to the worker in pieces of this size (the read holds no more than one). */
const AVAILABILITY_BYTES = 1024 * 1024;
/**
 * How long the core keeps an idle worker (ApplyWorkerOptions.idleStopMs). After the initial sync it
 * would otherwise hold its heap and connection for the core's life; most later pulls (the 10 s poll,
 * one-page feeds) never use it, and the 5-minute reconciliation's availability at 20k offerings pays
 * a new start (1.6–2 s, off the engine's loop) for it.
 */
export const APPLY_WORKER_IDLE_STOP_MS = 60_000;
/** The longest this thread waits for the worker's commit before writing anyway (then busy_timeout applies). */
const GATE_WAIT_MS = 5000;

/** Run from the sources (CLI, tests) the worker is apply-worker.ts; in the Electron bundle it is its own entry. */
function workerEntry(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('./apply-worker.ts', import.meta.url) : new URL('./sync-apply-worker.js', import.meta.url);
}

interface PullState {
  inFlight: number;
  error: Error | null;
  wake: (() => void) | null;
  flushed: (() => void) | null;
  replaced: ((ok: boolean) => void) | null;
  onCommitted(pages: AppliedPage[]): void;
}

export interface ApplyWorkerOptions {
  /** Test seam: the worker holds its group open after this many pages until `release()`. */
  holdAfterPages?: number;
  /**
   * Stops the worker once no pull has used it for this long (none: it stays until `stop`). An idle
   * worker still holds its V8 heap, its connection's page cache and what its last pull allocated.
   */
  idleStopMs?: number;
}

export class ApplyWorker {
  readonly replica: Replica;
  readonly #options: ApplyWorkerOptions;
  readonly #gate = new Int32Array(new SharedArrayBuffer(8));
  #worker: Worker | null = null;
  readonly #pulls = new Map<number, PullState>();
  #nextPull = 1;
  #stopping: Promise<void> | null = null;
  #ready = false;
  #readyWaiters: Array<() => void> = [];
  #idleTimer: NodeJS.Timeout | null = null;

  constructor(replica: Replica, options: ApplyWorkerOptions = {}) {
    this.replica = replica;
    this.#options = options;
  }

  /**
   * Whether the worker has loaded its code and opened its connection: 1.6–2 s at load 14. The Puller
   * starts it (`warm`) on the first page of a feed that has more, and writes on its own thread until
   * it is ready.
   */
  get ready(): boolean {
    return this.#ready && this.#worker !== null;
  }

  /** Whether a worker thread is started (ready or not); false once stopped, idle or not. */
  get running(): boolean {
    return this.#worker !== null;
  }

  /** Starts the worker now; resolves once it is ready (or failed: then `ready` stays false). */
  warm(): Promise<void> {
    this.#start();
    if (this.#ready) return Promise.resolve();
    return new Promise((resolve) => this.#readyWaiters.push(resolve));
  }

  /** Starts a pull's apply; `onCommitted` gets its pages once their group is committed, in order. */
  begin(onCommitted: (pages: AppliedPage[]) => void): number {
    this.#start();
    this.#clearIdle();
    const id = this.#nextPull++;
    this.#pulls.set(id, { inFlight: 0, error: null, wake: null, flushed: null, replaced: null, onCommitted });
    // Held while a pull is under way (a CLI awaiting its sync must not exit), let go when idle.
    this.#worker?.ref();
    return id;
  }

  /** Hands a page to the worker; resolves once fewer than PAGES_IN_FLIGHT of the pull's pages wait. */
  async apply(pull: number, page: PageToApply): Promise<void> {
    const s = this.#state(pull);
    this.#post({ type: 'page', pull, page });
    s.inFlight++;
    while (s.inFlight >= PAGES_IN_FLIGHT && !s.error) await new Promise<void>((resolve) => (s.wake = resolve));
    if (s.error) throw s.error;
  }

  /** Commits what the pull applied and ends it; throws what failed in the worker. */
  async end(pull: number): Promise<void> {
    const s = this.#state(pull);
    try {
      if (this.#worker) {
        await new Promise<void>((resolve) => {
          s.flushed = resolve;
          this.#post({ type: 'flush', pull });
        });
      }
      if (s.error) throw s.error;
    } finally {
      this.#pulls.delete(pull);
      if (this.#pulls.size === 0) {
        this.#worker?.unref();
        this.#armIdle();
      }
    }
  }

  /**
   * Replaces the availability with the answer's, its body passed on unread as it arrives (in
   * AVAILABILITY_BYTES pieces, transferred: this thread never holds the whole body, nor decodes or
   * parses it), then read and written by the worker in one group. Resolves once committed: true, or
   * false when the body was not in its shape (nothing written). Throws what failed in the worker, or
   * the body's read (then nothing is written).
   */
  async replaceAvailability(body: AsyncIterable<Uint8Array>): Promise<boolean> {
    const pull = this.begin(() => undefined);
    const s = this.#state(pull);
    const replaced = new Promise<boolean>((resolve) => (s.replaced = resolve));
    let piece = new Uint8Array(AVAILABILITY_BYTES);
    let used = 0;
    const send = (bytes: ArrayBuffer): void => this.#worker?.postMessage({ type: 'availabilityBytes', pull, bytes } satisfies ToWorker, [bytes]);
    let complete = false;
    try {
      try {
        for await (const chunk of body) {
          // Copied into pieces of our own: a chunk's buffer may be the socket's, not ours to transfer.
          for (let at = 0; at < chunk.length; ) {
            const n = Math.min(chunk.length - at, piece.length - used);
            piece.set(chunk.subarray(at, at + n), used);
            used += n;
            at += n;
            if (used < piece.length) continue;
            send(piece.buffer);
            piece = new Uint8Array(AVAILABILITY_BYTES);
            used = 0;
          }
        }
        if (used > 0) send(piece.slice(0, used).buffer);
        complete = true;
      } finally {
        this.#post({ type: 'availability', pull, complete });
      }
      return await replaced;
    } finally {
      await this.end(pull);
    }
  }

  /** Test seam: lets a worker started with `holdAfterPages` go on. */
  release(): void {
    this.#post({ type: 'release' });
  }

  /** Ends the worker (after committing what it applied). */
  stop(): Promise<void> {
    this.#clearIdle();
    const w = this.#worker;
    if (!w) return Promise.resolve();
    this.#stopping ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => void w.terminate(), 10_000);
      w.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      w.postMessage({ type: 'stop' } satisfies ToWorker);
    });
    return this.#stopping;
  }

  #state(pull: number): PullState {
    const s = this.#pulls.get(pull);
    if (!s) throw new Error(`apply worker: no pull ${pull}`);
    return s;
  }

  #post(m: ToWorker): void {
    this.#worker?.postMessage(m);
  }

  /** Before a write on this thread: the worker commits its group and waits (see apply-worker.ts). */
  #enter(): void {
    Atomics.add(this.#gate, GATE_WANT, 1);
    if (Atomics.load(this.#gate, GATE_HOLD) === 0) return;
    // It may be idle between pages with its group open: a message wakes it.
    this.#post({ type: 'yield' });
    const deadline = Date.now() + GATE_WAIT_MS;
    // Blocks this thread for the worker's commit (a few ms, a big group's commit up to ~200 ms).
    while (Atomics.load(this.#gate, GATE_HOLD) === 1 && Date.now() < deadline) Atomics.wait(this.#gate, GATE_HOLD, 1, 50);
  }

  #leave(): void {
    Atomics.sub(this.#gate, GATE_WANT, 1);
    Atomics.notify(this.#gate, GATE_WANT);
  }

  #start(): void {
    if (this.#worker) return;
    this.#stopping = null;
    this.#ready = false;
    const worker = new Worker(fileURLToPath(workerEntry()), {
      workerData: { file: this.replica.file, gate: this.#gate.buffer, holdAfterPages: this.#options.holdAfterPages },
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    });
    worker.unref();
    worker.on('message', (m: ToHost) => {
      if (this.#worker === worker) this.#onMessage(m);
    });
    const fail = (error: Error): void => {
      // A worker let go when idle (#stopIdle) ends on its own: nothing of the current one is its.
      if (this.#worker !== worker) return;
      this.#worker = null;
      this.#setReady(false);
      if (this.replica.writeGate === this.#gateHooks) this.replica.writeGate = null;
      Atomics.store(this.#gate, GATE_HOLD, 0);
      for (const s of this.#pulls.values()) this.#fail(s, error);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the sync apply worker exited (${code})`)));
    this.#worker = worker;
    this.replica.writeGate = this.#gateHooks;
  }

  readonly #gateHooks = { enter: (): void => this.#enter(), leave: (): void => this.#leave() };

  #fail(s: PullState, error: Error): void {
    s.error ??= error;
    s.wake?.();
    s.flushed?.();
    s.replaced?.(false);
  }

  /** No pull under way: the worker is let go once idleStopMs pass without one (begin clears it). */
  #armIdle(): void {
    const ms = this.#options.idleStopMs;
    if (ms === undefined || !this.#worker || this.#pulls.size > 0) return;
    this.#clearIdle();
    this.#idleTimer = setTimeout(() => this.#stopIdle(), ms);
    this.#idleTimer.unref();
  }

  #clearIdle(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
  }

  /**
   * Lets the idle worker go: detached at once (the next pull starts a new one), it commits nothing
   * (no pull, so no group is open), closes its connection and exits. It shares the gate with a
   * successor only while it exits, holding no write lock.
   */
  #stopIdle(): void {
    this.#idleTimer = null;
    const w = this.#worker;
    // Not before it is ready (warm() waits for that; 'ready' arms the timer again).
    if (!w || !this.#ready || this.#pulls.size > 0) return;
    this.#worker = null;
    this.#stopping = null;
    this.#ready = false;
    if (this.replica.writeGate === this.#gateHooks) this.replica.writeGate = null;
    const timer = setTimeout(() => void w.terminate(), 10_000);
    timer.unref();
    w.once('exit', () => clearTimeout(timer));
    w.postMessage({ type: 'stop' } satisfies ToWorker);
  }

  #setReady(ready: boolean): void {
    this.#ready = ready;
    for (const w of this.#readyWaiters.splice(0)) w();
  }

  #onMessage(m: ToHost): void {
    if (m.type === 'ready') {
      this.#setReady(true);
      this.#armIdle(); // warmed for a pull that may never come (or went on without it)
    }
    if (m.type === 'ready' || m.type === 'stopped') return;
    const s = this.#pulls.get(m.pull);
    if (!s) return;
    switch (m.type) {
      case 'applied':
        s.inFlight--;
        s.wake?.();
        s.wake = null;
        return;
      case 'committed':
        s.onCommitted(m.pages);
        return;
      case 'flushed':
        s.flushed?.();
        return;
      case 'replaced':
        s.replaced?.(m.ok);
        return;
      case 'error':
        this.#fail(s, new Error(m.message));
        return;
    }
  }
}
