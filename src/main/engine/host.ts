/**
 * The engine: the console core running in its own process, so a long job or a crash never freezes
 * the window (Electron: a utilityProcess; browser fallback: a Node child process). It starts the core
 * when its supervisor says `start`, answers calls through the same dispatchCall as every transport,
 * forwards the core's events, and reaches the OS keychain through its supervisor (Electron's
 * safeStorage exists only in the main process).
 */
import type { ContractEvents, EventName } from '../../shared/contract/types.ts';
import { startConsole, type RunningConsole } from '../app.ts';
import { dispatchCall } from '../dispatch.ts';
import type { SecretKeeper, StoredSecret } from '../shell/secret-store.ts';
import type { FromEngine, SecretRequest, ToEngine } from './protocol.ts';

interface Port {
  post(message: FromEngine): void;
  onMessage(listener: (message: ToEngine) => void): void;
  /** The supervisor went away (Node IPC only; Electron ends its utility processes itself). */
  onParentGone(listener: () => void): void;
}

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

function parentPort(): Port {
  const electronPort = (process as { parentPort?: ElectronParentPort }).parentPort;
  if (electronPort) {
    return {
      post: (message) => electronPort.postMessage(message),
      onMessage: (listener) => electronPort.on('message', (event) => listener(event.data as ToEngine)),
      onParentGone: () => {},
    };
  }
  if (!process.send) throw new Error('engine host: started without a supervisor (no IPC channel)');
  return {
    post: (message) => process.send?.(message),
    onMessage: (listener) => process.on('message', (message) => listener(message as ToEngine)),
    onParentGone: (listener) => process.on('disconnect', listener),
  };
}

const port = parentPort();
let running: RunningConsole | null = null;
let stopping = false;
let nextSecretId = 1;
const secretReplies = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

/** Asks the supervisor to seal or open a secret with the OS keychain. */
function askSecret(request: SecretRequest): Promise<unknown> {
  const id = nextSecretId++;
  return new Promise((resolve, reject) => {
    secretReplies.set(id, { resolve, reject });
    port.post({ type: 'secret', id, request });
  });
}

/** The keychain, reached through the supervisor. */
function remoteSecretKeeper(encryptionAvailable: boolean): SecretKeeper {
  return {
    encryptionAvailable,
    seal: async (secret, keep) => (await askSecret({ op: 'seal', secret, keep })) as StoredSecret,
    open: async (stored) => String(await askSecret({ op: 'open', stored })),
  };
}

async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    try {
      await running?.close();
    } catch (error) {
      console.error('engine: closing the core failed:', error);
    }
  }
  process.exit(code);
}

let pendingTimer: NodeJS.Timeout | null = null;
/** The dock badge follows the queue; debounced so a burst of changes counts once. */
function schedulePendingCount(): void {
  if (pendingTimer || !running) return;
  pendingTimer = setTimeout(() => {
    pendingTimer = null;
    if (running && !stopping) port.post({ type: 'pending', count: running.core.pendingCount() });
  }, 300);
}

port.onMessage((message) => {
  switch (message.type) {
    case 'start': {
      if (running) return;
      const { options } = message;
      const log = options.verbose ? (line: string) => console.error(line) : () => {};
      startConsole({
        dbFile: options.dbFile,
        ...(options.api ? { api: options.api } : {}),
        transport: options.transport,
        ...(options.demoLiveSeconds !== undefined ? { demoLiveSeconds: options.demoLiveSeconds } : {}),
        ...(options.relay ? { relay: options.relay } : {}),
        secretKeeper: remoteSecretKeeper(options.secretsEncryptionAvailable),
        log,
        // Damage found after start: end like a failed start, so the supervisor says why; the marker
        // the core left makes the next start refuse the file the same way.
        onReplicaDamaged: (error) => {
          port.post({ type: 'fatal', message: error.message });
          void stop(1);
        },
      }).then(
        (started) => {
          running = started;
          started.core.on(<E extends EventName>(event: E, payload: ContractEvents[E]) => {
            port.post({ type: 'event', event, payload });
            if (event === 'data.changed' || event === 'queue.new') schedulePendingCount();
          });
          port.post({ type: 'ready', mode: started.mode, session: started.core.session(), pid: process.pid });
          port.post({ type: 'pending', count: started.core.pendingCount() });
        },
        (error: unknown) => {
          port.post({ type: 'fatal', message: error instanceof Error ? error.message : String(error) });
          void stop(1);
        },
      );
      return;
    }
    case 'call': {
      const core = running?.core;
      if (!core) {
        port.post({ type: 'result', id: message.id, outcome: { ok: false, error: { code: 'UNAVAILABLE', message: 'The engine is still starting.' } } });
        return;
      }
      void dispatchCall(core, message.method, message.input).then((outcome) => port.post({ type: 'result', id: message.id, outcome }));
      return;
    }
    case 'ping':
      port.post({ type: 'pong', id: message.id });
      return;
    case 'secret.result': {
      const reply = secretReplies.get(message.id);
      secretReplies.delete(message.id);
      if (message.ok) reply?.resolve(message.value);
      else reply?.reject(new Error(message.message));
      return;
    }
    case 'stop':
      void stop(0);
      return;
  }
});
port.onParentGone(() => void stop(0));
