/**
 * A loopback HTTP proxy in front of a real server (the sandbox) that records every request with its
 * arrival time, and answers chosen requests itself. It is how a test sees *when* the console talks to
 * the server (e.g. nothing before a Retry-After has passed) and how it gets answers the sandbox never
 * gives on its own (a Retry-After as an HTTP date, a 503 that carries one). Everything else is passed
 * through byte for byte.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query as received. */
  path: string;
  /** Date.now() when the request's headers arrived. */
  at: number;
  /** The status this proxy answered with when it answered itself (0: the answer was lost); null when passed through. */
  injected: number | null;
}

export interface InjectedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * Instead of an answer: pass the request to the server, let it act and answer, then cut the client's
 * connection — the answer is lost after the server acted (what a crash before the answer was stored
 * looks like from the server).
 */
export const LOSE_ANSWER = { loseAnswer: true } as const;

export interface RecordingProxy {
  url: string;
  requests: RecordedRequest[];
  /**
   * The next `times` requests matching `method` (any when absent) and `path` get `answer` instead of
   * reaching the server; `answer` may be a function, called when the request arrives.
   */
  inject(match: { method?: string; path: RegExp }, answer: InjectedAnswer | (() => InjectedAnswer) | typeof LOSE_ANSWER, times?: number): void;
  /** Forgets every injection not used up yet. */
  clear(): void;
  close(): Promise<void>;
}

interface Rule {
  method: string | undefined;
  path: RegExp;
  answer: InjectedAnswer | (() => InjectedAnswer) | typeof LOSE_ANSWER;
  left: number;
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const requests: RecordedRequest[] = [];
  const rules: Rule[] = [];
  const sockets = new Set<Socket>();

  const passThrough = (req: IncomingMessage, res: ServerResponse, loseAnswer = false): void => {
    const out = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        if (loseAnswer) {
          answer.resume();
          answer.on('end', () => req.socket.destroy());
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  };

  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    const method = req.method ?? 'GET';
    const rule = rules.find((r) => r.left > 0 && (r.method === undefined || r.method === method) && r.path.test(path));
    if (!rule) {
      requests.push({ method, path, at: Date.now(), injected: null });
      passThrough(req, res);
      return;
    }
    rule.left--;
    if ('loseAnswer' in rule.answer) {
      requests.push({ method, path, at: Date.now(), injected: 0 });
      passThrough(req, res, true);
      return;
    }
    const answer = typeof rule.answer === 'function' ? rule.answer() : rule.answer;
    requests.push({ method, path, at: Date.now(), injected: answer.status });
    req.resume();
    req.on('end', () => {
      const body = answer.body === undefined ? '' : JSON.stringify(answer.body);
      res.writeHead(answer.status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...answer.headers });
      res.end(body);
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    inject(match, answer, times = 1) {
      rules.push({ method: match.method, path: match.path, answer, left: times });
    },
    clear() {
      rules.length = 0;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}
