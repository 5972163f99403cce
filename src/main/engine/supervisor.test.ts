import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BookingView, ContractEvents, EngineStatus, IntentView, QueueWindow, SessionInfo } from '../../shared/contract/types.ts';
import { packageRoot } from '../app.ts';
import { SecretStore } from '../shell/secret-store.ts';
import { fakeKeychain } from '../../../test/support/keychain.ts';
import { startTestSandbox, type SandboxFixture } from '../../../test/support/sandbox.ts';
import { waitFor } from '../../../test/support/wait-for.ts';
import type { CallOutcome } from '../dispatch.ts';
import type { ToEngine } from './protocol.ts';
import { engineMallocEnv, engineV8Flags } from '../../shared/node/v8-heap.ts';
import { EngineSupervisor, forkNodeEngine, type EngineProcess, type SupervisorOptions } from './supervisor.ts';

// Real engine processes (src/main/engine/host.ts under Node 24) on a real replica file, syncing with a
// real sandbox on loopback; crashes are real signals sent to the engine's pid.

const key = 'ork_engine01.engine-secret-0123456789abcdef';
let dir: string;
let sandbox: SandboxFixture;
let supervisor: EngineSupervisor | null = null;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orkestr-engine-'));
  sandbox = await startTestSandbox({ dir, keys: [`${key}:read,write`], seed: 'demo' });
});

afterAll(async () => {
  await sandbox.close();
  await rm(dir, { recursive: true, force: true });
});

afterEach(async () => {
  await supervisor?.close();
  supervisor = null;
});

let dbCounter = 0;
function engine(overrides: Partial<SupervisorOptions> = {}, sent?: ToEngine[]): EngineSupervisor {
  const spawn = (): EngineProcess => {
    const child = forkNodeEngine();
    if (!sent) return child;
    return { ...child, get pid() { return child.pid; }, send: (m) => { sent.push(m); child.send(m); }, onMessage: child.onMessage, onExit: child.onExit, kill: child.kill };
  };
  supervisor = new EngineSupervisor({
    spawn,
    start: { dbFile: join(dir, `replica-${++dbCounter}.db`), api: { url: sandbox.url, key }, transport: 'bridge' },
    restartDelayMs: () => 50,
    ...overrides,
  });
  return supervisor;
}

async function result<T>(outcome: Promise<CallOutcome>): Promise<T> {
  const o = await outcome;
  if (!o.ok) throw new Error(`${o.error.code}: ${o.error.message}`);
  return o.result as T;
}

function statuses(s: EngineSupervisor): EngineStatus[] {
  const seen: EngineStatus[] = [];
  s.on((event, payload) => {
    if (event === 'engine.status') seen.push(payload as ContractEvents['engine.status']);
  });
  return seen;
}

async function pendingQueue(s: EngineSupervisor): Promise<BookingView[]> {
  return waitFor(async () => {
    const queue = (await result<QueueWindow>(s.call('queue.window', { limit: 1000 }))).items;
    return queue.length > 0 ? queue : null;
  }, 'PENDING bookings in the replica');
}

describe('engine supervisor', () => {
  it('answers contract calls from the engine process, and refuses malformed input without forwarding it', async () => {
    const sent: ToEngine[] = [];
    const s = engine({}, sent);
    await s.start();
    expect(s.pid).toBeGreaterThan(0);
    expect(s.pid).not.toBe(process.pid);
    const session = await result<SessionInfo>(s.call('session.info', {}));
    expect(session.mode).toBe('connected');
    expect(session.apiUrl).toBe(sandbox.url);
    const before = sent.filter((m) => m.type === 'call').length;
    const bad = await s.call('bookings.approve', { id: 42 });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error.code).toBe('BAD_INPUT');
    expect(await s.call('no.such.method', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    expect(sent.filter((m) => m.type === 'call').length).toBe(before);
    expect(await result<EngineStatus>(s.call('engine.status', {}))).toEqual({ supervised: true, state: 'running', restarts: 0, lastCrash: null });
  });

  it('restarts a killed engine, tells the listeners, and keeps what was acknowledged', async () => {
    const s = engine({ start: { dbFile: join(dir, 'replica-kill.db'), api: { url: sandbox.url, key }, transport: 'bridge' } });
    await s.start();
    const seen = statuses(s);
    const reloads: string[] = [];
    s.on((event) => {
      if (event === 'data.changed' || event === 'session.changed') reloads.push(event);
    });
    const [booking] = await pendingQueue(s);
    const approved = await result<{ intentId: string }>(s.call('bookings.approve', { id: booking!.id }));
    const firstPid = s.pid!;
    process.kill(firstPid, 'SIGKILL');
    await waitFor(() => s.status().state === 'running' && s.pid !== firstPid, 'the engine back up');
    expect(seen.map((x) => x.state)).toEqual(['restarting', 'running']);
    expect(s.status()).toMatchObject({ restarts: 1, lastCrash: { kind: 'signal', detail: 'SIGKILL', reason: 'signal SIGKILL' } });
    expect(reloads).toEqual(expect.arrayContaining(['session.changed', 'data.changed']));
    const intents = await result<IntentView[]>(s.call('intents.list', {}));
    const detail = await result<{ status: string } | null>(s.call('bookings.get', { id: booking!.id }));
    // The approval was acknowledged before the kill: it is either still queued or already on the server.
    expect(intents.some((i) => i.id === approved.intentId) || detail?.status === 'CONFIRMED').toBe(true);
  });

  it('holds calls made while the engine restarts and answers them once it is back', async () => {
    const s = engine();
    await s.start();
    const pid = s.pid!;
    const restarting = waitFor(() => s.status().state === 'restarting', 'restarting');
    process.kill(pid, 'SIGKILL');
    await restarting;
    const session = await result<SessionInfo>(s.call('session.info', {}));
    expect(session.mode).toBe('connected');
    expect(s.pid).not.toBe(pid);
  });

  it('answers a call the dead engine had taken with UNAVAILABLE, not silence', async () => {
    const s = engine();
    await s.start();
    const pid = s.pid!;
    process.kill(pid, 'SIGSTOP'); // frozen: the call below is sent and cannot be answered
    const call = s.call('sync.status', {});
    process.kill(pid, 'SIGKILL');
    const outcome = await call;
    expect(outcome).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    expect(!outcome.ok && outcome.error.message).toMatch(/stopped while handling this request/);
    await waitFor(() => s.status().state === 'running', 'the engine back up');
  });

  it('kills and restarts an engine that stops answering', async () => {
    const s = engine({ unresponsiveMs: 600 });
    await s.start();
    const pid = s.pid!;
    process.kill(pid, 'SIGSTOP');
    await waitFor(() => s.status().state === 'running' && s.pid !== undefined && s.pid !== pid, 'a fresh engine');
    expect(s.status().lastCrash).toMatchObject({ kind: 'unresponsive', reason: expect.stringMatching(/stopped responding/) });
  });

  it('starts the engine process with the young generation bounded (src/shared/node/v8-heap.ts)', async () => {
    const idle = join(dir, 'idle-engine.mjs');
    await writeFile(idle, 'setTimeout(() => process.exit(0), 30_000);\n');
    const child = forkNodeEngine(idle);
    try {
      await waitFor(() => existsSync(`/proc/${child.pid}/cmdline`), 'the engine process');
      const argv = (await readFile(`/proc/${child.pid}/cmdline`, 'utf8')).split('\0');
      expect(argv).toEqual(expect.arrayContaining([...engineV8Flags]));
    } finally {
      child.kill();
    }
  });

  it('starts the engine process with glibc malloc bounded to few arenas (src/shared/node/v8-heap.ts)', async () => {
    const idle = join(dir, 'idle-engine-env.mjs');
    await writeFile(idle, 'setTimeout(() => process.exit(0), 30_000);\n');
    const child = forkNodeEngine(idle);
    try {
      await waitFor(() => existsSync(`/proc/${child.pid}/environ`), 'the engine process');
      const env = (await readFile(`/proc/${child.pid}/environ`, 'utf8')).split('\0');
      expect(env).toEqual(expect.arrayContaining(Object.entries(engineMallocEnv).map(([k, v]) => `${k}=${v}`)));
    } finally {
      child.kill();
    }
  });

  it('gives up after repeated crashes, refuses calls, and starts again when the user asks', async () => {
    const crashing = join(dir, 'crashing-engine.mjs');
    await writeFile(crashing, 'process.exit(3);\n');
    let broken = false;
    const s = engine({ spawn: () => forkNodeEngine(broken ? crashing : undefined), maxCrashes: 2 });
    await s.start();
    const seen = statuses(s);
    broken = true;
    process.kill(s.pid!, 'SIGKILL');
    await waitFor(() => s.status().state === 'failed', 'the supervisor to give up');
    expect(s.status()).toMatchObject({ state: 'failed', lastCrash: { kind: 'exit', detail: '3', reason: 'exit code 3' } });
    expect(seen.at(-1)?.state).toBe('failed');
    expect(await s.call('queue.window', {})).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    broken = false;
    const after = await result<EngineStatus>(s.call('engine.restart', {}));
    expect(after.state).toBe('restarting');
    await waitFor(() => s.status().state === 'running', 'the engine started by the user');
    expect((await s.call('queue.window', {})).ok).toBe(true);
  });

  it('restarts a running engine when the user asks, and names that as the cause', async () => {
    const s = engine();
    await s.start();
    const pid = s.pid!;
    expect(await result<EngineStatus>(s.call('engine.restart', {}))).toMatchObject({ supervised: true });
    await waitFor(() => s.status().state === 'running' && s.pid !== undefined && s.pid !== pid, 'a fresh engine');
    expect(s.status().lastCrash).toMatchObject({ kind: 'user', reason: 'restarted by the user' });
  });

  it('kills an engine that never gets ready, and answers the calls that waited for it', async () => {
    // The start limit is no speed target: the first engine is a stand-in that is ready as soon as it
    // is asked (the real engine's start, which a loaded machine slows down, is tested above), and the
    // one after the crash never answers however long it is given.
    const ready = join(dir, 'ready-engine.mjs');
    const session = { mode: 'connected', tenant: null, apiUrl: null, live: false, appVersion: 'test', transport: 'bridge', secrets: { encryptionAvailable: false, apiKey: null, relay: null, unreadable: [] } };
    await writeFile(
      ready,
      `process.on('message', (m) => {
  if (m.type === 'start') process.send({ type: 'ready', mode: 'connected', pid: process.pid, session: ${JSON.stringify(session)} });
  else if (m.type === 'ping') process.send({ type: 'pong', id: m.id });
});\n`,
    );
    const hanging = join(dir, 'hanging-engine.mjs');
    await writeFile(hanging, "process.on('message', () => {});\n");
    let hang = false;
    const s = engine({ spawn: () => forkNodeEngine(hang ? hanging : ready), startTimeoutMs: 3000, maxCrashes: 1 });
    await s.start();
    hang = true;
    process.kill(s.pid!, 'SIGKILL');
    await waitFor(() => s.status().state === 'restarting', 'restarting');
    const waiting = s.call('sync.status', {});
    expect(await waiting).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    expect(s.status()).toMatchObject({ state: 'failed', lastCrash: { kind: 'unresponsive', detail: '3' } });
  });

  it('says why when the engine cannot start at all', async () => {
    // The replica's folder would be inside a plain file: the core cannot create it.
    const file = join(dir, 'a-plain-file');
    await writeFile(file, 'not a folder');
    const s = engine({ start: { dbFile: join(file, 'replica.db'), api: { url: sandbox.url, key }, transport: 'bridge' } });
    await expect(s.start()).rejects.toThrow(/could not start: (EEXIST|ENOTDIR).*a-plain-file.*\(exit code 1\)/);
    expect(s.status().state).toBe('failed');
  });

  it('runs the built engine entry the desktop app ships (out/main/engine-host.js)', async () => {
    const built = join(packageRoot(), 'out', 'main', 'engine-host.js');
    if (!existsSync(built)) throw new Error('The app is not built: run `npx electron-vite build` first (npm test does).');
    const s = engine({ spawn: () => forkNodeEngine(built) });
    await s.start();
    expect((await result<SessionInfo>(s.call('session.info', {}))).mode).toBe('connected');
  });

  it('seals a key with the keychain of the supervising process and opens it again in a new engine', async () => {
    const sealed: string[] = [];
    // The suite's keychain stand-in, living only in this (the supervising) process; it notes what it sealed.
    const machine = fakeKeychain();
    const keychain = new SecretStore({
      ...machine,
      encryptString: (text) => {
        sealed.push(text);
        return machine.encryptString(text);
      },
    });
    const dbFile = join(dir, 'replica-secrets.db');
    const first = engine({ secrets: keychain, start: { dbFile, api: { url: sandbox.url, key }, transport: 'bridge' } });
    await first.start();
    const connected = await result<SessionInfo>(first.call('settings.connect', { apiUrl: sandbox.url, apiKey: key }));
    expect(connected.secrets).toMatchObject({ encryptionAvailable: true, apiKey: 'encrypted', unreadable: [] });
    expect(sealed).toEqual([key]);
    await first.close();
    // A new engine on the same replica, with no key given: it asks this process to open the stored one.
    const second = engine({ secrets: keychain, start: { dbFile, transport: 'bridge' } });
    await second.start();
    const session = await result<SessionInfo>(second.call('session.info', {}));
    expect(session).toMatchObject({ mode: 'connected', apiUrl: sandbox.url, secrets: { apiKey: 'encrypted' } });
  });

  it('stops the engine gracefully on close', async () => {
    const s = engine();
    await s.start();
    const pid = s.pid!;
    await s.close();
    supervisor = null;
    expect(() => process.kill(pid, 0)).toThrow();
    expect(await s.call('session.info', {})).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
  });
});
