/**
 * The engine as an Electron utilityProcess: a Chromium-managed child with Node, the desktop app's
 * equivalent of forkNodeEngine (src/main/engine/supervisor.ts). Only the shell imports Electron.
 */
import { utilityProcess } from 'electron';
import { processEndTracker, type EngineProcess } from '../engine/supervisor.ts';
import type { FromEngine } from '../engine/protocol.ts';
import { engineMallocEnv, engineV8Flags } from '../../shared/node/v8-heap.ts';

export function forkUtilityEngine(entry: string): EngineProcess {
  const child = utilityProcess.fork(entry, [], { serviceName: 'Orkestr Console engine', stdio: 'inherit', execArgv: [...engineV8Flags], env: { ...process.env, ...engineMallocEnv } });
  const exit = processEndTracker();
  // Electron reports only a code; a crash of the process shows as a non-zero one.
  child.on('exit', (code) => exit.ended({ kind: 'exit', detail: String(code) }));
  return {
    get pid() {
      return child.pid;
    },
    send(message) {
      if (!exit.exited) child.postMessage(message);
    },
    onMessage(listener) {
      child.on('message', (message: unknown) => listener(message as FromEngine));
    },
    onExit: exit.onExit,
    kill() {
      if (exit.exited) return;
      // Hard: the supervisor kills an engine that stopped answering, which may not heed SIGTERM.
      try {
        if (child.pid) process.kill(child.pid, 'SIGKILL');
        else child.kill();
      } catch {
        child.kill();
      }
    },
  };
}
