/**
 * The engine as an Electron utilityProcess: a Chromium-managed child with Node, the desktop app's
 * equivalent of forkNodeEngine (src/main/engine/supervisor.ts). Only the shell imports Electron.
 */
import { utilityProcess } from 'electron';
import type { EngineProcess, ProcessEnd } from '../engine/supervisor.ts';
import type { FromEngine } from '../engine/protocol.ts';

export function forkUtilityEngine(entry: string): EngineProcess {
  const child = utilityProcess.fork(entry, [], { serviceName: 'Orkestr Console engine', stdio: 'inherit' });
  let exited = false;
  let end: ProcessEnd = { kind: 'exit', detail: '0' };
  const exitListeners: Array<(end: ProcessEnd) => void> = [];
  child.on('exit', (code) => {
    exited = true;
    // Electron reports only a code; a crash of the process shows as a non-zero one.
    end = { kind: 'exit', detail: String(code) };
    for (const listener of exitListeners) listener(end);
  });
  return {
    get pid() {
      return child.pid;
    },
    send(message) {
      if (!exited) child.postMessage(message);
    },
    onMessage(listener) {
      child.on('message', (message: unknown) => listener(message as FromEngine));
    },
    onExit(listener) {
      if (exited) listener(end);
      else exitListeners.push(listener);
    },
    kill() {
      if (exited) return;
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
