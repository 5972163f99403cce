/**
 * The renderer's only door to the core: `api` implements the shared `ConsoleApi` contract.
 *
 * - In the Electron window the preload exposes the contract as `window.orkestr` — used as is.
 * - In a browser served by the loopback bridge, calls go over `POST /api/call` and events over the
 *   `/api/events` WebSocket, both authorised by the token carried in the URL fragment.
 *
 * Losing the core itself (fetch fails, socket closed) is reported through `onTransportState`, which
 * is a different thing from Orkestr being offline (`sync.status.connection === 'offline'`).
 */
import type { ConsoleApi, ContractErrorShape, ContractEvents, EventName, MethodInput, MethodName, MethodResults } from '../../shared/contract/types.ts';
import { ContractError, errorCodes } from '../../shared/contract/types.ts';
import { backoffMs } from '../../shared/backoff.ts';
import { readToken, allTables, reconnectBackoff, TOKEN_KEY } from './lib/transport.ts';

export type TransportKind = 'electron' | 'bridge' | 'none';
/** `refused`: the bridge rejected our token (the server was restarted with a new one). */
export type TransportState = 'ok' | 'lost' | 'refused';

declare global {
  interface Window {
    orkestr?: ConsoleApi;
  }
}

type Listener = (payload: never) => void;
interface BridgeBody {
  ok?: boolean;
  result?: unknown;
  error?: ContractErrorShape;
}

const stateListeners = new Set<(state: TransportState, detail: string | null) => void>();
let transportState: TransportState = 'ok';

function setTransportState(state: TransportState, detail: string | null): void {
  if (state === transportState) return;
  transportState = state;
  for (const l of stateListeners) l(state, detail);
}

/** Subscribe to "can we reach the core at all"; returns an unsubscribe function. */
export function onTransportState(listener: (state: TransportState, detail: string | null) => void): () => void {
  stateListeners.add(listener);
  return () => stateListeners.delete(listener);
}

export function getTransportState(): TransportState {
  return transportState;
}

const errorCodeSet: ReadonlySet<string> = new Set(errorCodes);

/** Errors that crossed contextBridge/IPC lose their class; give them back their contract shape. */
export function toContractError(err: unknown): ContractError {
  if (err instanceof ContractError) return err;
  if (err && typeof err === 'object') {
    const e = err as Partial<ContractErrorShape> & { message?: string; details?: Partial<ContractErrorShape> };
    if (typeof e.code === 'string' && errorCodeSet.has(e.code)) {
      return new ContractError(e.code, String(e.message ?? e.code), e.fields ?? e.details?.fields);
    }
    const msg = String(e.message ?? err);
    // Electron prefixes remote errors: "Error invoking remote method 'orkestr:call': Error: …"
    const m = /"code"\s*:\s*"([A-Z_]+)"/.exec(msg);
    if (m && m[1] && errorCodeSet.has(m[1])) return new ContractError(m[1] as ContractErrorShape['code'], msg);
    return new ContractError('INTERNAL', msg);
  }
  return new ContractError('INTERNAL', String(err));
}

/** Thrown when the core cannot be reached at all (bridge down, network to loopback refused). */
export class TransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransportError';
  }
}

function electronApi(bridge: ConsoleApi): ConsoleApi {
  return {
    async call(method, input) {
      try {
        return await bridge.call(method, input);
      } catch (err) {
        throw toContractError(err);
      }
    },
    on(event, listener) {
      return bridge.on(event, listener);
    },
  };
}

/** What the bridge transport needs from the browser (injected so it can be tested in Node). */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
}
export interface BridgeEnv {
  fetch: (url: string, init: { method: string; headers: Record<string, string>; body: string }) => Promise<{ status: number; ok: boolean; json(): Promise<unknown> }>;
  openSocket: (url: string) => SocketLike;
  location: { protocol: string; host: string };
  setTimeout: (fn: () => void, ms: number) => unknown;
  forgetToken: () => void;
}

function browserEnv(): BridgeEnv {
  return {
    fetch: (url, init) => fetch(url, init),
    openSocket: (url) => {
      const ws = new WebSocket(url);
      const s: SocketLike = { onopen: null, onmessage: null, onclose: null };
      ws.onopen = (e) => s.onopen?.(e);
      ws.onmessage = (e) => s.onmessage?.({ data: e.data });
      ws.onclose = (e) => s.onclose?.(e);
      return s;
    },
    location: window.location,
    setTimeout: (fn, ms) => window.setTimeout(fn, ms),
    forgetToken: () => {
      try {
        sessionStorage.removeItem(TOKEN_KEY);
      } catch {
        /* ignore */
      }
    },
  };
}

/**
 * The loopback-bridge transport: `POST /api/call` with `Authorization: Bearer <token>` and body
 * `{method, input}` → `{ok:true, result}` | `{ok:false, error}`; events from the WebSocket
 * `/api/events?token=<token>` as `{event, payload}` frames; reconnects with back-off and, after a
 * reconnect, emits `data.changed` for every table so screens re-query what they missed.
 */
// eslint-disable-next-line max-lines-per-function -- the bridge client's call, events and reconnect are closures over one socket and its listeners
export function createBridgeApi(token: string, env: BridgeEnv = browserEnv()): ConsoleApi {
  const listeners = new Map<EventName, Set<Listener>>();
  let attempt = 0;
  let everOpened = false;
  let socket: SocketLike | null = null;

  function emit<E extends EventName>(event: E, payload: ContractEvents[E]): void {
    const set = listeners.get(event);
    if (!set) return;
    for (const l of [...set]) {
      try {
        (l as (p: ContractEvents[E]) => void)(payload);
      } catch (err) {
        console.error('listener for', event, 'failed', err);
      }
    }
  }

  function connect(): void {
    const proto = env.location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = env.openSocket(`${proto}://${env.location.host}/api/events?token=${encodeURIComponent(token)}`);
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      setTransportState('ok', null);
      if (everOpened) emit('data.changed', { tables: [...allTables] });
      everOpened = true;
    };
    ws.onmessage = (msg) => {
      try {
        const data = JSON.parse(String(msg.data)) as { event?: string; payload?: unknown };
        if (typeof data.event === 'string') emit(data.event as EventName, data.payload as never);
      } catch {
        /* ignore malformed frames */
      }
    };
    ws.onclose = () => {
      if (socket !== ws || transportState === 'refused') return;
      socket = null;
      if (everOpened) setTransportState('lost', 'events socket closed');
      const delay = backoffMs(++attempt, reconnectBackoff.baseMs, reconnectBackoff.capMs);
      env.setTimeout(connect, delay);
    };
  }
  connect();

  return {
    async call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodResults[M]> {
      let res: Awaited<ReturnType<BridgeEnv['fetch']>>;
      try {
        res = await env.fetch('/api/call', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
          body: JSON.stringify({ method, input }),
        });
      } catch (err) {
        setTransportState('lost', String((err as Error)?.message ?? err));
        throw new TransportError(String((err as Error)?.message ?? err));
      }
      let body: BridgeBody | null = null;
      try {
        body = (await res.json()) as BridgeBody;
      } catch {
        body = null;
      }
      if (res.status === 401) {
        env.forgetToken();
        setTransportState('refused', 'token refused');
        throw new ContractError('UNAVAILABLE', 'The access token was refused. Open the link printed by `npm start` again.');
      }
      setTransportState('ok', null);
      if (res.ok && body && body.ok) return body.result as MethodResults[M];
      const e = body?.error;
      if (e && typeof e.code === 'string') throw new ContractError(e.code, e.message, e.fields);
      throw new ContractError('INTERNAL', `HTTP ${res.status}`);
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as Listener);
      return () => {
        set.delete(listener as Listener);
      };
    },
  };
}

function noneApi(): ConsoleApi {
  return {
    call() {
      return Promise.reject(new TransportError('No access token'));
    },
    on() {
      return () => {};
    },
  };
}

function pick(): { kind: TransportKind; api: ConsoleApi } {
  if (typeof window === 'undefined') return { kind: 'none', api: noneApi() };
  if (window.orkestr) return { kind: 'electron', api: electronApi(window.orkestr) };
  const token = readToken(window.location, window.sessionStorage, window.history);
  if (token) return { kind: 'bridge', api: createBridgeApi(token) };
  return { kind: 'none', api: noneApi() };
}

const picked = pick();
export const api: ConsoleApi = picked.api;
export const transportKind: TransportKind = picked.kind;
