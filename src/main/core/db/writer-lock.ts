/**
 * One writer per replica (the PowerSync / Replicache rule: one process owns a local database).
 *
 * A long-lived process (the desktop app's engine, `serve`, a continuous `sync`) takes the replica's
 * owner file `<replica>.owner`, created atomically (O_EXCL) and naming its PID and command. A second
 * long-lived process refuses to start and names the owner. One-shot commands (`approve`, `status`,
 * `sync --once`, `import`...) do not take it: they work through SQLite's own locking, and the outbox
 * claims each intent atomically before it is sent (outbox.ts), so two processes never send one intent.
 *
 * An owner file left by a process that is gone (crash, `kill -9`, power loss) is stale and taken
 * over. On Linux the process's start time (from /proc) is kept too, so a reused PID is not mistaken
 * for the owner.
 */
import { closeSync, existsSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { ownerOnlyFileMode } from './file-modes.ts';

export interface WriterInfo {
  pid: number;
  command: string;
  since: string;
  /** /proc/<pid>/stat start time (Linux), to tell a reused PID from the owner. */
  procStart: string | null;
}

export const ownerFileOf = (replicaFile: string): string => `${replicaFile}.owner`;

/** The start time of a process as /proc reports it, or null where there is no /proc. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22, counted after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether a process is still running (a PID that now names another process does not count). */
export function isProcessAlive(pid: number, procStart: string | null = null): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it runs, as another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (procStart === null) return true;
  const now = processStartTime(pid);
  return now === null || now === procStart;
}

/** This process, as claims and the owner file name it: `<pid>:<start time>`. */
export const processToken: string = `${process.pid}:${processStartTime(process.pid) ?? Date.now()}`;

/** Whether the process behind a claim token (`processToken`) is gone. */
export function isTokenDead(token: string): boolean {
  const [pid, start] = token.split(':');
  const startTime = start && /^\d+$/.test(start) && processStartTime(Number(pid)) !== null ? start : null;
  return !isProcessAlive(Number(pid), startTime);
}

function isYoung(path: string): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs < 1000;
  } catch {
    return false;
  }
}

function readOwner(file: string): WriterInfo | null {
  try {
    const parsed = JSON.parse(readFileSync(ownerFileOf(file), 'utf8')) as Partial<WriterInfo>;
    if (typeof parsed.pid !== 'number') return null;
    return { pid: parsed.pid, command: String(parsed.command ?? '?'), since: String(parsed.since ?? '?'), procStart: typeof parsed.procStart === 'string' ? parsed.procStart : null };
  } catch {
    return null;
  }
}

/** The live process that owns the replica, or null. */
export function currentWriter(file: string): WriterInfo | null {
  const owner = readOwner(file);
  return owner && owner.pid !== process.pid && isProcessAlive(owner.pid, owner.procStart) ? owner : null;
}

/** "PID 4242: orkestr-console sync …, since …", or null when no live process owns it. */
export function describeWriter(file: string): string | null {
  const owner = currentWriter(file);
  return owner ? `held by PID ${owner.pid}: ${owner.command}, since ${owner.since}` : null;
}

export interface WriterLock {
  readonly file: string;
  release(): void;
}

export class ReplicaOwnedError extends Error {
  override name = 'ReplicaOwnedError';
  readonly userFacing = true;
  readonly owner: WriterInfo;
  constructor(file: string, owner: WriterInfo) {
    super(
      `The replica ${file} is in use by another process (PID ${owner.pid}: ${owner.command}, since ${owner.since}). ` +
        'Only one console, `serve` or continuous `sync` may own a replica at a time: stop that one first, or use one-shot commands (approve, status, sync --once), which work alongside it.',
    );
    this.owner = owner;
  }
}

/**
 * Takes the replica for this process. Throws ReplicaOwnedError when a live process owns it.
 * `command` says who we are (shown to the next one that tries).
 */
export function acquireWriterLock(file: string, command: string): WriterLock {
  if (file === ':memory:') return { file, release: () => {} };
  const ownerFile = ownerFileOf(file);
  const me: WriterInfo = { pid: process.pid, command, since: new Date().toISOString(), procStart: processStartTime(process.pid) };
  // Bounded: each round creates the file, finds a live owner, waits for a writer that is still
  // filling the file in, or removes a stale one.
  for (let attempt = 0; attempt < 40; attempt++) {
    let fd: number;
    try {
      fd = openSync(ownerFile, 'wx', ownerOnlyFileMode);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readOwner(file);
      if (owner && owner.pid !== process.pid && isProcessAlive(owner.pid, owner.procStart)) throw new ReplicaOwnedError(file, owner);
      if (!owner && isYoung(ownerFile)) {
        // Created this instant by a process that has not written its name yet.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25);
        continue;
      }
      // Stale (its process is gone) or half-written by a process that died creating it.
      try {
        unlinkSync(ownerFile);
      } catch {
        // another process removed it first: try again
      }
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(me));
    } finally {
      closeSync(fd);
    }
    let released = false;
    return {
      file,
      release() {
        if (released) return;
        released = true;
        if (readOwner(file)?.pid === process.pid && existsSync(ownerFile)) unlinkSync(ownerFile);
      },
    };
  }
  throw new Error(`could not take ${ownerFile}: other processes keep creating it`);
}
