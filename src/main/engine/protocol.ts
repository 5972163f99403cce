import type { ContractEvents, EventName, SessionInfo } from '../../shared/contract/types.ts';
import type { CallOutcome } from '../dispatch.ts';
import type { RelayConfig } from '../app.ts';

/**
 * Messages between the engine (the console core in its own process, src/main/engine/host.ts) and
 * its supervisor (src/main/engine/supervisor.ts). Everything crossing is structured-clone data; the
 * same messages travel over Electron's utilityProcess port and over a Node child_process IPC pipe.
 */

/** What the engine needs to start: the serialisable part of startConsole's options. */
export interface EngineStartOptions {
  dbFile: string;
  api?: { url: string; key: string };
  transport: 'electron' | 'bridge';
  demoLiveSeconds?: number;
  relay?: RelayConfig;
  /** Whether the supervisor's side can encrypt secrets (Electron: safeStorage in the main process). */
  secretsEncryptionAvailable: boolean;
  /** Write the core's log lines to stderr. */
  verbose?: boolean;
}

export type SecretRequest = { op: 'seal'; secret: string; keep: 'encrypted' | 'plain' } | { op: 'open'; stored: { scheme: 'safe' | 'plain'; data: string } };

/** Supervisor → engine. */
export type ToEngine =
  | { type: 'start'; options: EngineStartOptions }
  | { type: 'call'; id: number; method: string; input: unknown }
  | { type: 'ping'; id: number }
  | { type: 'secret.result'; id: number; ok: true; value: unknown }
  | { type: 'secret.result'; id: number; ok: false; message: string }
  | { type: 'stop' };

/** Engine → supervisor. */
export type FromEngine =
  | { type: 'ready'; mode: 'demo' | 'connected'; session: SessionInfo; pid: number }
  | { type: 'fatal'; message: string }
  | { type: 'result'; id: number; outcome: CallOutcome }
  | { type: 'event'; event: EventName; payload: ContractEvents[EventName] }
  | { type: 'pong'; id: number }
  | { type: 'pending'; count: number }
  | { type: 'secret'; id: number; request: SecretRequest };
