/**
 * Runs the console core (the engine) in its own process and keeps it running: validates and forwards
 * contract calls, relays its events, restarts it after a crash or when it stops answering, and tells
 * every UI through the `engine.status` event. After too many crashes in a short time it stops trying
 * and waits for the user's `engine.restart`, so a core that dies at start-up does not spin the CPU.
 *
 * The process itself comes from a `spawn` function: Electron's utilityProcess in the desktop app
 * (src/main/index.ts), a Node child process for the browser fallback and the tests (forkNodeEngine).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ContractError, type ContractEvents, type EngineCrash, type EngineStatus, type EventName, type MethodName, type SessionInfo } from '../../shared/contract/types.ts';
import { parseCall } from '../../shared/contract/schemas.ts';
import type { CallOutcome, CallTarget } from '../dispatch.ts';
import { backoffMs } from '../../shared/backoff.ts';
import { noKeychain, type SecretKeeper } from '../shell/secret-store.ts';
import type { EngineStartOptions, FromEngine, SecretRequest, ToEngine } from './protocol.ts';
import { engineMallocEnv, missingEngineFlags } from '../../shared/node/v8-heap.ts';

/** One engine process, whatever launched it. */
export interface EngineProcess {
  readonly pid: number | undefined;
  send(message: ToEngine): void;
  onMessage(listener: (message: FromEngine) => void): void;
  /** Called once when the process is gone: how it ended. */
  onExit(listener: (end: ProcessEnd) => void): void;
  /** Ends it now (SIGKILL where there are signals). */
  kill(): void;
}

/** How an engine process ended: its exit code, or the signal that ended it. */
export interface ProcessEnd {
  kind: 'exit' | 'signal';
  detail: string;
}

function describeEnd(kind: EngineCrash['kind'], detail: string): string {
  switch (kind) {
    case 'exit':
      return detail === '' ? 'no process' : `exit code ${detail}`;
    case 'signal':
      return `signal ${detail}`;
    case 'unresponsive':
      return `stopped responding for ${detail} s`;
    case 'user':
      return 'restarted by the user';
  }
}


export interface SupervisorOptions {
  spawn: () => EngineProcess;
  start: Omit<EngineStartOptions, 'secretsEncryptionAvailable'>;
  /** Seals and opens secrets for the engine (Electron: safeStorage, which only the main process has); default: no keychain. */
  secrets?: SecretKeeper;
  /** More crashes than this within `crashWindowMs` → `failed` (default 4 in 60 s). */
  maxCrashes?: number;
  crashWindowMs?: number;
  /** Wait before restart number n (1-based); default up to 250 ms, doubling to at most 4 s (jittered). */
  restartDelayMs?: (attempt: number) => number;
  /** No answer to a ping for this long → the engine is frozen: killed and restarted (default 30 s). */
  unresponsiveMs?: number;
  /** How long an engine may take to be ready, at first start or after a crash, before it is killed (default 120 s: a demo tenant seeds on first run). */
  startTimeoutMs?: number;
  onPendingCount?: (count: number) => void;
  log?: (line: string) => void;
}

type Listener = <E extends EventName>(event: E, payload: ContractEvents[E]) => void;

interface Pending {
  method: string;
  input: unknown;
  resolve(outcome: CallOutcome): void;
}

const unavailable = (message: string): CallOutcome => ({ ok: false, error: { code: 'UNAVAILABLE', message } });

export class EngineSupervisor implements CallTarget {
  readonly #opts: SupervisorOptions;
  readonly #listeners = new Set<Listener>();
  #child: EngineProcess | null = null;
  #ready = false;
  #stopping = false;
  #state: EngineStatus['state'] = 'restarting';
  #restarts = 0;
  #lastCrash: EngineStatus['lastCrash'] = null;
  #crashTimes: number[] = [];
  #nextId = 1;
  /** Calls sent to the current process, awaiting its answer. */
  readonly #inFlight = new Map<number, Pending>();
  /** Calls made while no process was ready; sent when one is. */
  #waiting: Pending[] = [];
  #session: SessionInfo | null = null;
  #mode: 'demo' | 'connected' = 'connected';
  #restartTimer: NodeJS.Timeout | null = null;
  #pingTimer: NodeJS.Timeout | null = null;
  #lastPong = 0;
  #firstStart: { resolve(): void; reject(error: Error): void } | null = null;

  readonly #secrets: SecretKeeper;

  constructor(options: SupervisorOptions) {
    this.#opts = options;
    this.#secrets = options.secrets ?? noKeychain();
  }

  /** Starts the first engine; resolves once it is ready, rejects if it cannot start at all. */
  start(): Promise<void> {
    const started = new Promise<void>((resolve, reject) => {
      this.#firstStart = { resolve, reject };
    });
    this.#spawn();
    return started;
  }

  get mode(): 'demo' | 'connected' {
    return this.#mode;
  }

  /** The process id of the running engine (tests and diagnostics). */
  get pid(): number | undefined {
    return this.#ready ? this.#child?.pid : undefined;
  }

  status(): EngineStatus {
    return { supervised: true, state: this.#state, restarts: this.#restarts, lastCrash: this.#lastCrash };
  }

  on(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Validates here (malformed input never reaches the engine), then forwards. */
  async call(method: unknown, input: unknown): Promise<CallOutcome> {
    let parsed: { method: MethodName; input: unknown };
    try {
      if (typeof method !== 'string') throw new ContractError('BAD_INPUT', 'method must be a string');
      parsed = parseCall(method, input);
    } catch (error) {
      if (error instanceof ContractError) return { ok: false, error: error.toJSON() };
      throw error;
    }
    if (parsed.method === 'engine.status') return { ok: true, result: this.status() };
    if (parsed.method === 'engine.restart') return { ok: true, result: await this.restart() };
    if (this.#stopping) return unavailable('The console is shutting down.');
    if (this.#state === 'failed') return unavailable('The console engine stopped after repeated crashes; restart it from the banner.');
    return new Promise<CallOutcome>((resolve) => {
      const pending: Pending = { method: parsed.method, input: parsed.input, resolve };
      if (this.#ready) this.#send(pending);
      else this.#waiting.push(pending);
    });
  }

  /** The user's "Restart engine": from `failed`, or to kill a running engine that misbehaves. */
  async restart(): Promise<EngineStatus> {
    if (this.#stopping) return this.status();
    this.#crashTimes = [];
    if (this.#state === 'failed') {
      this.#setState('restarting');
      this.#spawn();
    } else if (this.#child) {
      // Counted like a crash from the user's point of view: the engine was not doing its job.
      this.#killedFor = { kind: 'user', detail: '' };
      this.#child.kill();
    }
    return this.status();
  }

  /** Graceful stop: the engine closes its core (flushes the replica), or is killed after 10 s. */
  async close(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    for (const pending of this.#waiting) pending.resolve(unavailable('The console is shutting down.'));
    this.#waiting = [];
    const child = this.#child;
    if (!child) return;
    await new Promise<void>((resolve) => {
      const killer = setTimeout(() => child.kill(), 10_000);
      child.onExit(() => {
        clearTimeout(killer);
        resolve();
      });
      try {
        child.send({ type: 'stop' });
      } catch {
        child.kill();
      }
    });
  }

  // ---- internals --------------------------------------------------------------------------------

  #emit<E extends EventName>(event: E, payload: ContractEvents[E]): void {
    for (const listener of this.#listeners) {
      try {
        listener(event, payload);
      } catch (error) {
        this.#opts.log?.(`engine supervisor: a listener failed: ${String(error)}`);
      }
    }
  }

  #setState(state: EngineStatus['state']): void {
    this.#state = state;
    this.#emit('engine.status', this.status());
  }

  #send(pending: Pending): void {
    const id = this.#nextId++;
    this.#inFlight.set(id, pending);
    try {
      this.#child?.send({ type: 'call', id, method: pending.method, input: pending.input });
    } catch {
      // The process is going away; its exit handler answers this call.
    }
  }

  #spawn(): void {
    this.#ready = false;
    let child: EngineProcess;
    try {
      child = this.#opts.spawn();
    } catch (error) {
      this.#crashed({ kind: 'exit', detail: '' }, `could not start a process: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    this.#child = child;
    let fatal: string | null = null;
    child.onMessage((message) => {
      if (this.#child !== child) return;
      this.#onMessage(child, message, (text) => (fatal = text));
    });
    // An engine that never gets ready (at first start or after a crash) is killed like a frozen one;
    // otherwise calls waiting for it would wait forever.
    const startLimit = this.#opts.startTimeoutMs ?? 120_000;
    const startTimer = setTimeout(() => {
      if (this.#child !== child || this.#ready) return;
      this.#killedFor = { kind: 'unresponsive', detail: String(Math.round(startLimit / 1000)) };
      child.kill();
    }, startLimit);
    child.onMessage((message) => {
      if (message.type === 'ready') clearTimeout(startTimer);
    });
    child.onExit((end) => {
      clearTimeout(startTimer);
      if (this.#child !== child) return;
      this.#child = null;
      this.#crashed(end, fatal);
    });
    child.send({ type: 'start', options: { ...this.#opts.start, secretsEncryptionAvailable: this.#secrets.encryptionAvailable } });
  }

  #onMessage(child: EngineProcess, message: FromEngine, noteFatal: (text: string) => void): void {
    switch (message.type) {
      case 'ready': {
        this.#ready = true;
        this.#session = message.session;
        this.#mode = message.mode;
        this.#lastPong = Date.now();
        this.#watch(child);
        const wasRestart = this.#firstStart === null;
        this.#firstStart?.resolve();
        this.#firstStart = null;
        if (wasRestart) this.#opts.log?.(`engine: running again (pid ${message.pid})`);
        const waiting = this.#waiting;
        this.#waiting = [];
        for (const pending of waiting) this.#send(pending);
        if (wasRestart) {
          this.#setState('running');
          // Whatever the UIs missed while the engine was down: they re-query everything.
          this.#emit('session.changed', message.session);
          this.#emit('data.changed', { tables: ['bookings', 'offerings', 'coupons', 'availability', 'disputes', 'activity', 'intents', 'conflicts', 'feeds'] });
        } else {
          this.#state = 'running';
        }
        return;
      }
      case 'fatal':
        noteFatal(message.message);
        return;
      case 'result': {
        const pending = this.#inFlight.get(message.id);
        this.#inFlight.delete(message.id);
        pending?.resolve(message.outcome);
        return;
      }
      case 'event':
        if (message.event === 'session.changed') this.#session = message.payload as SessionInfo;
        this.#emit(message.event, message.payload);
        return;
      case 'pong':
        this.#lastPong = Date.now();
        return;
      case 'pending':
        this.#opts.onPendingCount?.(message.count);
        return;
      case 'secret':
        void this.#answerSecret(child, message.id, message.request);
        return;
    }
  }

  async #answerSecret(child: EngineProcess, id: number, request: SecretRequest): Promise<void> {
    const secrets = this.#secrets;
    try {
      const value = request.op === 'seal' ? await secrets.seal(request.secret, request.keep) : await secrets.open(request.stored);
      child.send({ type: 'secret.result', id, ok: true, value });
    } catch (error) {
      child.send({ type: 'secret.result', id, ok: false, message: error instanceof Error ? error.message : String(error) });
    }
  }

  /** Pings the engine; one that stops answering (an endless loop, a stopped process) is killed. */
  #watch(child: EngineProcess): void {
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    const limit = this.#opts.unresponsiveMs ?? 30_000;
    this.#pingTimer = setInterval(() => {
      if (this.#child !== child || !this.#ready) return;
      if (Date.now() - this.#lastPong > limit) {
        this.#opts.log?.(`engine: no answer for ${limit} ms; restarting it`);
        this.#killedFor = { kind: 'unresponsive', detail: String(Math.round(limit / 1000)) };
        child.kill();
        return;
      }
      try {
        child.send({ type: 'ping', id: this.#nextId++ });
      } catch {
        // Exit follows.
      }
    }, Math.max(50, Math.floor(limit / 4)));
    this.#pingTimer.unref();
  }

  /** Why we killed the current engine ourselves, when we did: shown instead of "signal SIGKILL". */
  #killedFor: { kind: EngineCrash['kind']; detail: string } | null = null;

  /** `fatal`: what the engine said before it ended (a start-up error). */
  #crashed(end: ProcessEnd, fatal: string | null): void {
    this.#ready = false;
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    this.#pingTimer = null;
    // Calls the dead process had taken: their effect is unknown, so say so rather than replay them
    // (a command may have been written before the crash; the UI re-reads and the user decides).
    const lost = [...this.#inFlight.values()];
    this.#inFlight.clear();
    for (const pending of lost) pending.resolve(unavailable('The console engine stopped while handling this request; check the result before trying again.'));
    if (this.#stopping) return;
    const now = Date.now();
    const cause = this.#killedFor ?? end;
    this.#killedFor = null;
    const reason = fatal ? `${fatal} (${describeEnd(cause.kind, cause.detail)})` : describeEnd(cause.kind, cause.detail);
    this.#lastCrash = { at: new Date(now).toISOString(), kind: cause.kind, detail: cause.detail, reason };
    if (this.#firstStart) {
      // Never got going: nothing to restart into; the caller says why.
      this.#firstStart.reject(new Error(`the engine could not start: ${reason}`));
      this.#firstStart = null;
      this.#state = 'failed';
      return;
    }
    this.#opts.log?.(`engine: stopped (${this.#lastCrash.reason})`);
    const window = this.#opts.crashWindowMs ?? 60_000;
    this.#crashTimes = [...this.#crashTimes.filter((t) => now - t < window), now];
    if (this.#crashTimes.length > (this.#opts.maxCrashes ?? 4)) {
      for (const pending of this.#waiting) pending.resolve(unavailable('The console engine stopped after repeated crashes; restart it from the banner.'));
      this.#waiting = [];
      this.#setState('failed');
      return;
    }
    this.#restarts++;
    this.#setState('restarting');
    const attempt = this.#crashTimes.length;
    const delay = this.#opts.restartDelayMs?.(attempt) ?? backoffMs(attempt, 250, 4000);
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = null;
      if (!this.#stopping && this.#state === 'restarting') this.#spawn();
    }, delay);
  }

  /** The last session the engine reported (for the shell's start-up line). */
  get session(): SessionInfo | null {
    return this.#session;
  }
}

/** The engine's entry in this checkout: TypeScript run by Node 24 directly. */
export const engineHostSource = fileURLToPath(new URL('./host.ts', import.meta.url));

/**
 * How an engine process ended, for both adapters (Node fork, Electron utilityProcess): `ended` is
 * called once by the adapter; a listener added afterwards hears it at once.
 */
export function processEndTracker(): { readonly exited: boolean; ended(end: ProcessEnd): void; onExit(listener: (end: ProcessEnd) => void): void } {
  let end: ProcessEnd | null = null;
  const listeners: Array<(end: ProcessEnd) => void> = [];
  return {
    get exited() {
      return end !== null;
    },
    ended(e) {
      end = e;
      for (const listener of listeners) listener(e);
    },
    onExit(listener) {
      if (end) listener(end);
      else listeners.push(listener);
    },
  };
}

/** An engine as a Node child process (browser fallback, CLI `serve`, tests). */
export function forkNodeEngine(entry: string = engineHostSource): EngineProcess {
  const child = fork(entry, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced', execArgv: [...process.execArgv, ...missingEngineFlags()], env: { ...process.env, ...engineMallocEnv } });
  const exit = processEndTracker();
  child.on('exit', (code, signal) => exit.ended(signal ? { kind: 'signal', detail: signal } : { kind: 'exit', detail: String(code ?? 0) }));
  child.on('error', () => {
    // 'exit' follows a failed spawn or a broken pipe; nothing more to do here.
  });
  return {
    get pid() {
      return child.pid;
    },
    send(message) {
      if (!exit.exited && child.connected) child.send(message);
    },
    onMessage(listener) {
      child.on('message', (message) => listener(message as FromEngine));
    },
    onExit: exit.onExit,
    kill() {
      if (!exit.exited) child.kill('SIGKILL');
    },
  };
}
