/**
 * The engine's side of the calendar's worker threads (worker.ts), one set per replica file, never
 * keeping the process alive. Feeds and exports answered as text use the first worker; an export to a
 * file is split between all of them (two on a machine with two cores or more): with the replica's
 * change stamp, each reads only its share of the bookings (share.ts), renders their events and
 * writes them into the same temporary file at their places among the others'; without one, each
 * reads everything, renders its part of the events in output order and writes it at its offset. Workers start on first use, or ahead of need with `warm()` (the core calls it
 * when it starts). A worker that dies fails the requests it held and is started again by the next
 * one. `close()` ends them (the core closes them with the replica).
 */
import { renameSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Feed, RenderedFeed } from './feeds.ts';
import type { IcsFilter } from './ics.ts';
import type { CalendarAnswer, CalendarJob } from './worker.ts';
import { WORKER_YOUNG_GENERATION_MB } from '../../../shared/node/v8-heap.ts';

/** Run from the sources (CLI, tests) the worker is worker.ts; in the Electron bundle it is its own entry. */
function workerEntry(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('./worker.ts', import.meta.url) : new URL('./calendar-worker.js', import.meta.url);
}

type Pending = { resolve: (a: CalendarAnswer) => void; reject: (e: Error) => void };
type JobInput = CalendarJob extends infer J ? (J extends { id: number } ? Omit<J, 'id'> : never) : never;
type Kind = Extract<CalendarAnswer, { ok: true }>['kind'];
type Answer<K extends Kind> = Extract<CalendarAnswer, { ok: true; kind: K }>;
type Part = { thread: RenderThread; id: number; answer: Answer<'part'> };

let nextId = 1;

/** One worker thread and the requests it holds. */
class RenderThread {
  readonly #file: string;
  #worker: Worker | null = null;
  readonly #pending = new Map<number, Pending>();

  constructor(file: string) {
    this.#file = file;
  }

  run<K extends Kind>(kind: K, job: JobInput & { kind: K }, id = nextId++): Promise<Answer<K>> {
    const worker = this.#start();
    return new Promise((resolve, reject) => {
      this.#pending.set(id, {
        resolve: (a) => (!a.ok ? reject(new Error(a.message)) : a.kind === kind ? resolve(a as Answer<K>) : reject(new Error('calendar worker: unexpected answer'))),
        reject,
      });
      // Held while it works (a CLI awaiting an export must not exit), let go when idle.
      worker.ref();
      worker.postMessage({ ...job, id });
    });
  }

  async close(): Promise<void> {
    const w = this.#worker;
    this.#worker = null;
    if (w) await w.terminate();
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    // A young generation of 8 MB (V8 would grow it to several times that): a cold export keeps most of
    // what it allocates (rows, events, the event cache), and copying it through large semi-spaces cost
    // ~20% more CPU in all (process CPU of a cold 100k export: median 3.6 s -> 2.8 s, load 13-15).
    const worker = new Worker(fileURLToPath(workerEntry()), { workerData: { file: this.#file }, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    worker.unref();
    worker.on('message', (a: CalendarAnswer) => {
      const p = this.#pending.get(a.id);
      this.#pending.delete(a.id);
      if (this.#pending.size === 0) worker.unref();
      p?.resolve(a);
    });
    const fail = (error: Error): void => {
      if (this.#worker === worker) this.#worker = null;
      for (const p of this.#pending.values()) p.reject(error);
      this.#pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`calendar worker exited (${code})`)));
    this.#worker = worker;
    return worker;
  }
}

export interface CalendarWorkerOptions {
  /** How many workers share an export to a file (default: 2, or 1 on a single core). */
  renderers?: number;
  /**
   * A stamp of the replica that changes with every commit to it (the engine's connection: PRAGMA
   * data_version and total_changes()). Unchanged across the workers' reads, they read the same data;
   * otherwise (or without it) they compare fingerprints of what they read.
   */
  changeStamp?: () => string;
  /** One line per export to a file: how it was split, each worker's CPU, whether the replica changed meanwhile. */
  log?: (line: string) => void;
}

export class CalendarWorker {
  readonly #threads: RenderThread[];
  readonly #changeStamp: (() => string) | null;
  readonly #log: (line: string) => void;
  #closed = false;
  #temporaries = 0;

  constructor(replicaFile: string, options: CalendarWorkerOptions = {}) {
    const n = Math.max(1, Math.floor(options.renderers ?? Math.min(2, availableParallelism())));
    this.#threads = Array.from({ length: n }, () => new RenderThread(replicaFile));
    this.#changeStamp = options.changeStamp ?? null;
    this.#log = options.log ?? (() => undefined);
  }

  /**
   * Starts every worker and runs its render code once on made-up events, so the first export after
   * the console started pays neither the start nor the compilation. Answers each worker's CPU time.
   */
  async warm(): Promise<number[]> {
    const answers = await Promise.all(this.#threads.map((t) => this.#on(t).run('warm', { kind: 'warm' })));
    return answers.map((a) => a.cpuMs);
  }

  /** The `.ics` of the bookings that pass `filter` (UTF-8 bytes, moved from the worker), and how many events it holds. */
  async export(filter: IcsFilter, calendarName: string | null = null): Promise<{ ics: Buffer; events: number; tenantName: string | null }> {
    const a = await this.#on(this.#first).run('export', { kind: 'export', filter, calendarName });
    return { ics: Buffer.from(a.ics.buffer, a.ics.byteOffset, a.ics.byteLength), events: a.events, tenantName: a.tenantName };
  }

  /**
   * The same `.ics` written by the workers to `file` (atomically: a temporary file renamed over it), so
   * nothing large reaches this thread; answers its size in bytes and how many events it holds.
   */
  async exportToFile(filter: IcsFilter, file: string, calendarName: string | null = null): Promise<{ bytes: number; events: number; tenantName: string | null }> {
    const tmp = `${file}.${process.pid}-${++this.#temporaries}.tmp`;
    try {
      // With a change stamp, each worker reads only its share of the bookings (share.ts): joined only
      // if no commit landed during the reads (the shares then come from one state of the replica).
      const share = this.#threads.length > 1 && this.#changeStamp !== null;
      let parts = await this.#renderParts(this.#threads, filter, calendarName, share);
      const consistent = share ? parts.unchanged === true : await this.#consistent(parts);
      const how =
        parts.length === 1
          ? 'one worker'
          : !consistent
            ? 'replica changed between the reads: done again by one worker'
            : share
              ? `each worker read its share of the bookings, ${parts.map((p) => p.answer.events).join(' + ')} events; replica unchanged`
              : parts.unchanged
                ? 'replica unchanged'
                : 'same fingerprints';
      if (!consistent) {
        // A write landed between the workers' reads: the first worker does it all from one read.
        await this.#drop(parts);
        parts = await this.#renderParts([this.#first], filter, calendarName, false);
      }
      const shared = share && consistent;
      const size = parts.reduce((n, p) => n + p.answer.bytes, 0);
      const keys = shared ? parts.map((p) => p.answer.keys).filter((k) => k !== undefined) : undefined;
      let position = 0;
      const writes = parts.map((p) => {
        const at = position;
        position += p.answer.bytes;
        return this.#on(p.thread).run('write', { kind: 'write', partId: p.id, file: tmp, position: at, size, ...(keys ? { shares: keys } : {}) });
      });
      const written = await settleAll(writes);
      renameSync(tmp, file);
      const first = parts[0]?.answer;
      const events = shared ? parts.reduce((n, p) => n + p.answer.events, 0) : (first?.events ?? 0);
      const cpu = parts.map((p, i) => workerCpu(p.answer, (written[i] as Answer<'write'> | undefined)?.cpuMs ?? 0)).join(' + ');
      this.#log(`calendar export: ${events} events to a file in ${parts.length} part${parts.length === 1 ? '' : 's'} (${how}); worker CPU ${cpu}`);
      return { bytes: size, events, tenantName: first?.tenantName ?? null };
    } catch (error) {
      rmSync(tmp, { force: true });
      throw error;
    }
  }

  /** One feed rendered at `now` (the worker keeps the last body of each feed until the data change). */
  async renderFeed(feed: Feed, now = new Date()): Promise<RenderedFeed> {
    const a = await this.#on(this.#first).run('feed', { kind: 'feed', feed, nowMs: now.getTime() });
    return { body: Buffer.from(a.body.buffer, a.body.byteOffset, a.body.byteLength), etag: a.etag, lastModified: new Date(a.lastModifiedMs) };
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#threads.map((t) => t.close()));
  }

  get #first(): RenderThread {
    const t = this.#threads[0];
    if (!t) throw new Error('calendar worker: none');
    return t;
  }

  #on(thread: RenderThread): RenderThread {
    if (this.#closed) throw new Error('calendar worker: closed');
    return thread;
  }

  /**
   * Part i of the export rendered by thread i, with the replica's change stamp taken before the jobs
   * are sent and after every answer is in (each worker reads within that span). On a failure, the
   * parts that were rendered are dropped.
   */
  async #renderParts(threads: RenderThread[], filter: IcsFilter, calendarName: string | null, share: boolean): Promise<Part[] & { unchanged?: boolean }> {
    const before = threads.length > 1 ? this.#changeStamp?.() : undefined;
    const ids = threads.map(() => nextId++);
    const runs = threads.map((t, i) => this.#on(t).run('part', { kind: 'part', filter, calendarName, part: i, of: threads.length, share }, ids[i]));
    const settled = await Promise.allSettled(runs);
    const after = before === undefined ? undefined : this.#changeStamp?.();
    const parts: Part[] & { unchanged?: boolean } = [];
    settled.forEach((s, i) => {
      const thread = threads[i];
      if (s.status === 'fulfilled' && thread) parts.push({ thread, id: ids[i] ?? 0, answer: s.value });
    });
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) {
      await this.#drop(parts).catch(() => undefined);
      throw failed.reason;
    }
    parts.unchanged = before !== undefined && before === after;
    return parts;
  }

  /** Whether the parts come from the same data: no commit during their reads, or equal fingerprints. */
  async #consistent(parts: Part[] & { unchanged?: boolean }): Promise<boolean> {
    if (parts.length <= 1 || parts.unchanged) return true;
    const prints = await Promise.all(parts.map((p) => this.#on(p.thread).run('fingerprint', { kind: 'fingerprint', partId: p.id })));
    return prints.every((f) => f.fingerprint === prints[0]?.fingerprint);
  }

  /** Lets the workers forget parts that will not be written. */
  async #drop(parts: Part[]): Promise<void> {
    await settleAll(parts.map((p) => this.#on(p.thread).run('write', { kind: 'write', partId: p.id, file: null, position: 0, size: 0 })));
  }
}

/** One worker's CPU for an export: in all, and by phase where it read a share (read and render, order, write). */
function workerCpu(part: Answer<'part'>, writeMs: number): string {
  const all = `${Math.round(part.cpuMs + writeMs)} ms`;
  const p = part.phases;
  return p ? `${all} (read+render ${Math.round(p.readRender)}, order ${Math.round(p.order)}, write ${Math.round(writeMs)})` : all;
}

/** Waits for every promise (none is left running), throws the first failure, else answers the values. */
async function settleAll(runs: Array<Promise<unknown>>): Promise<unknown[]> {
  const settled = await Promise.allSettled(runs);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value);
}
