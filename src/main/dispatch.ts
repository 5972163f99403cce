import { ContractError, type ContractErrorShape, type ContractEvents, type EventName } from '../shared/contract/types.ts';
import { parseCall, type ContractHandlers } from '../shared/contract/schemas.ts';

/** Something that can answer contract calls and push contract events: the console core. */
export interface ContractHost {
  handlers: ContractHandlers;
  on(listener: <E extends EventName>(event: E, payload: ContractEvents[E]) => void): () => void;
}

export type CallOutcome = { ok: true; result: unknown } | { ok: false; error: ContractErrorShape };

type EventListener = <E extends EventName>(event: E, payload: ContractEvents[E]) => void;

/**
 * What a transport talks to: a core in this process (through dispatchCall) or the supervisor of a
 * core running in its own process (src/main/engine), which validates and forwards.
 */
export interface CallTarget {
  call(method: unknown, input: unknown): Promise<CallOutcome>;
  on(listener: EventListener): () => void;
}

/** A transport's view of either kind of host. */
export function callTarget(host: ContractHost | CallTarget): CallTarget {
  if ('call' in host) return host;
  return { call: (method, input) => dispatchCall(host, method, input), on: (listener) => host.on(listener) };
}

/**
 * Validates one call against the contract's schemas and runs its handler. Both transports (Electron
 * IPC and the loopback bridge) go through here, so validation and error mapping are identical.
 */
export async function dispatchCall(host: ContractHost, method: unknown, input: unknown): Promise<CallOutcome> {
  try {
    if (typeof method !== 'string') throw new ContractError('BAD_INPUT', 'method must be a string');
    const call = parseCall(method, input);
    const handler = host.handlers[call.method] as (input: unknown) => unknown;
    const result = await handler(call.input);
    return { ok: true, result: result ?? null };
  } catch (error) {
    if (error instanceof ContractError) return { ok: false, error: error.toJSON() };
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: { code: 'INTERNAL', message } };
  }
}

/** HTTP status for a failed call on the bridge. */
export function statusForError(error: ContractErrorShape): number {
  switch (error.code) {
    case 'BAD_INPUT':
      return 400;
    case 'UNKNOWN_METHOD':
    case 'NOT_FOUND':
      return 404;
    case 'CONFLICT':
      return 409;
    case 'UNAVAILABLE':
      return 503;
    case 'NEEDS_CONFIRMATION':
      return 428;
    case 'READ_ONLY':
      return 403;
    default:
      return 500;
  }
}
