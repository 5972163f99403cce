import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { rendererCsp } from '../../shared/csp.ts';
import { readBodyOrRefuse, sendJson } from '../../shared/node/http-body.ts';
import { eventNames, importUploadMaxBase64, type ContractEvents, type EventName } from '../../shared/contract/types.ts';
import { callTarget, statusForError, type CallTarget, type ContractHost } from '../dispatch.ts';
import { AssetCache } from './asset-cache.ts';

/**
 * The loopback bridge: serves the one contract (POST /api/call, WebSocket /api/events) and the built
 * renderer to any Chromium on this machine. Bound to 127.0.0.1 only. Every API request needs the
 * random token; every request's Host must be this loopback address (defeats DNS rebinding), and an
 * Origin, when the browser sends one, must be this same origin (defeats other local pages).
 */
export interface BridgeOptions {
  /** The core in this process, or the supervisor of a core in its own process. */
  host: ContractHost | CallTarget;
  /** Folder with the built renderer (index.html + assets); omitted → API only. */
  staticDir?: string;
  port?: number;
  /** Fixed token (tests); random 32 bytes otherwise. */
  token?: string;
  /** Largest accepted request body for /api/call. */
  maxBodyBytes?: number;
  /**
   * Routes with their own credential in the path (calendar feeds: calendar apps cannot send
   * headers); tried after the Host/Origin checks, before the renderer. Return true when handled.
   */
  routes?: (req: IncomingMessage, res: ServerResponse) => boolean;
  log?: (line: string) => void;
}

export interface Bridge {
  url: string;
  /** The URL to open: carries the token in the fragment, which browsers never send to servers. */
  openUrl: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
};

const heartbeatMs = 25_000;

/**
 * The largest /api/call body: the contract's largest input, a CSV upload to `import.check`
 * (`importUploadMaxBase64` characters of base64, ≈ 96 MiB of file), plus 4 MiB for the rest of its
 * envelope (file name, the column mapping: at most a few thousand headers of ≤ 500 characters, JSON
 * escapes). Every valid call fits; anything larger cannot be valid, so it is refused with 413 before
 * it is read (declared length) or as soon as it passes the limit (streamed), never buffered whole.
 */
export const bridgeMaxBodyBytes = importUploadMaxBase64 + 4 * 1024 * 1024;

// eslint-disable-next-line max-lines-per-function -- the bridge's request handlers are closures over one server's token, sockets and event fan-out
export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const tokenBytes = Buffer.from(token);
  const maxBody = options.maxBodyBytes ?? bridgeMaxBodyBytes;
  const log = options.log ?? (() => {});
  const staticRoot = options.staticDir ? resolve(options.staticDir) : undefined;
  const assets = staticRoot ? new AssetCache(staticRoot) : null;
  const target = callTarget(options.host);
  let port = 0;

  const allowedHosts = (): Set<string> => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = (): Set<string> => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  function tokenMatches(candidate: string | null | undefined): boolean {
    if (!candidate) return false;
    const bytes = Buffer.from(candidate);
    return bytes.length === tokenBytes.length && timingSafeEqual(bytes, tokenBytes);
  }

  /** Host and Origin checks shared by HTTP and WebSocket; returns a refusal reason or null. */
  function refusal(req: IncomingMessage): string | null {
    if (!req.headers.host || !allowedHosts().has(req.headers.host)) return 'foreign Host';
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin)) return 'foreign Origin';
    return null;
  }

  function securityHeaders(res: ServerResponse): void {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('X-Frame-Options', 'DENY');
  }

  async function handleCall(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const auth = req.headers.authorization;
    const presented = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    if (!tokenMatches(presented)) {
      sendJson(res, 401, { ok: false, error: { code: 'BAD_INPUT', message: 'Missing or wrong bridge token' } });
      return;
    }
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      // A cross-site form post cannot set this content type without a CORS preflight, which we never grant.
      sendJson(res, 415, { ok: false, error: { code: 'BAD_INPUT', message: 'Content-Type must be application/json' } });
      return;
    }
    const body = await readBodyOrRefuse(req, res, maxBody, () =>
      sendJson(res, 413, { ok: false, error: { code: 'BAD_INPUT', message: `Body over ${maxBody} bytes` } }, { connection: 'close' }),
    );
    if (body === null) return;
    let parsed: { method?: unknown; input?: unknown };
    try {
      parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
    } catch {
      sendJson(res, 400, { ok: false, error: { code: 'BAD_INPUT', message: 'Body is not JSON' } });
      return;
    }
    const outcome = await target.call(parsed?.method, parsed?.input);
    sendJson(res, outcome.ok ? 200 : statusForError(outcome.error), outcome);
  }

  async function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (!staticRoot) {
      sendJson(res, 404, { ok: false, error: { code: 'NOT_FOUND', message: 'No renderer build is served here' } });
      return;
    }
    let relative: string;
    try {
      relative = decodeURIComponent(pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    let file = normalize(join(staticRoot, relative));
    if (file !== staticRoot && !file.startsWith(staticRoot + sep)) {
      res.writeHead(403).end();
      return;
    }
    // A held asset is written at once, with no stat (asset-cache.ts says why).
    const held = assets?.get(file);
    if (held) {
      res.writeHead(200, { 'Content-Type': contentTypes[extname(file)] ?? 'application/octet-stream', 'Content-Length': held.length, 'Cache-Control': 'public, max-age=31536000, immutable' });
      res.end(req.method === 'HEAD' ? undefined : held);
      return;
    }
    let info = await stat(file).catch(() => null);
    if (!info || info.isDirectory()) {
      // Single-page app: unknown paths without an extension get index.html.
      if (extname(relative) !== '' && !info) {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
        return;
      }
      file = join(staticRoot, 'index.html');
      info = await stat(file).catch(() => null);
      if (!info) {
        res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' }).end('The console UI is not built yet: run `npm run build`.');
        return;
      }
    }
    const type = contentTypes[extname(file)] ?? 'application/octet-stream';
    const headers: Record<string, string | number> = { 'Content-Type': type, 'Content-Length': info.size };
    if (type.startsWith('text/html')) {
      headers['Cache-Control'] = 'no-store';
      headers['Content-Security-Policy'] = rendererCsp({ connectSrc: [`ws://127.0.0.1:${port}`, `ws://localhost:${port}`] });
    } else {
      headers['Cache-Control'] = 'public, max-age=31536000, immutable';
    }
    res.writeHead(200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    if (assets?.holds(file)) res.end(await assets.read(file));
    else createReadStream(file).pipe(res);
  }

  const server = createServer((req, res) => {
    securityHeaders(res);
    const why = refusal(req);
    if (why) {
      log(`bridge: refused ${req.method} ${req.url}: ${why}`);
      sendJson(res, 403, { ok: false, error: { code: 'BAD_INPUT', message: `Refused: ${why}` } });
      return;
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (url.pathname === '/api/call') {
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST');
        sendJson(res, 405, { ok: false, error: { code: 'BAD_INPUT', message: 'Use POST' } });
        return;
      }
      handleCall(req, res).catch((error: unknown) => {
        log(`bridge: call failed: ${String(error)}`);
        if (!res.headersSent) sendJson(res, 500, { ok: false, error: { code: 'INTERNAL', message: 'Bridge failure' } });
      });
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      sendJson(res, 404, { ok: false, error: { code: 'NOT_FOUND', message: `No ${url.pathname}` } });
      return;
    }
    if (options.routes?.(req, res)) return;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    serveStatic(req, res, url.pathname).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  // Clients only listen; they never need to send big frames.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const sockets = new Set<WebSocket>();
  const alive = new WeakMap<WebSocket, boolean>();

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const why = url.pathname !== '/api/events' ? 'unknown path' : (refusal(req) ?? (tokenMatches(url.searchParams.get('token')) ? null : 'missing or wrong token'));
    if (why) {
      log(`bridge: refused WebSocket: ${why}`);
      socket.end(`HTTP/1.1 ${why === 'unknown path' ? '404 Not Found' : '403 Forbidden'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      alive.set(ws, true);
      ws.on('pong', () => alive.set(ws, true));
      ws.on('close', () => sockets.delete(ws));
      ws.on('error', () => sockets.delete(ws));
      // A page hears only events sent after its socket connects; the engine's state may have changed
      // between its first answers and now (a crash loop can end in half a second), so a newly
      // connected page is told the current state first. Later events follow in order.
      void target.call('engine.status', {}).then((outcome) => {
        if (outcome.ok && ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event: 'engine.status', payload: outcome.result }));
      });
    });
  });

  const heartbeat = setInterval(() => {
    for (const ws of sockets) {
      if (!alive.get(ws)) {
        ws.terminate();
        sockets.delete(ws);
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, heartbeatMs);
  heartbeat.unref();

  const unsubscribe = target.on(<E extends EventName>(event: E, payload: ContractEvents[E]) => {
    if (!eventNames.includes(event)) return;
    const frame = JSON.stringify({ event, payload });
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(frame);
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    openUrl: `${url}/#token=${token}`,
    port,
    token,
    async close() {
      unsubscribe();
      clearInterval(heartbeat);
      for (const ws of sockets) ws.terminate();
      sockets.clear();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    },
  };
}
