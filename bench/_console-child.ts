// Child process for bench/webhook-path.ts: the console as `serve --engine inline` runs it (core, relay
// link, loopback bridge in one process), apart from the bench that sends the webhooks and listens as
// the UI. argv: relayUrl channelId deviceToken secret. Prints {port, token, url} once listening.
// With argv "floor" instead: a bare HTTP server that echoes each delivery id to a bare WebSocket
// (what any relay→UI path costs at least here), printing {port, wsPort}.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { startBridge } from '../src/main/bridge/bridge.ts';
import { ConsoleCore } from '../src/main/core/index.ts';
import { startRelayLink } from '../src/main/core/index.ts';

const args = process.argv.slice(2);
if (args[0] === 'floor') {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(202).end();
      const id = req.headers['x-orkestr-delivery-id'];
      for (const client of wss.clients) client.send(JSON.stringify({ id }));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port, wsPort: (wss.address() as AddressInfo).port }));
  process.on('SIGTERM', () => process.exit(0));
} else {
  const [relayUrl, channelId, deviceToken, secret] = args as [string, string, string, string];
  const dir = mkdtempSync(join(tmpdir(), 'bench-console-'));
  const core = new ConsoleCore({ dbFile: join(dir, 'replica.db'), transport: 'bridge', appVersion: 'bench' });
  // Started as app.ts starts it in every mode (serve, Electron): WAL checkpoints then run in the
  // checkpoint worker, not inside the webhook transactions' commits on this thread.
  core.start();
  const link = startRelayLink(core, { url: relayUrl, channelId, deviceToken, secrets: [secret] });
  const bridge = await startBridge({ host: core });
  // CPU from here on (every thread of the process: the link, the replica's checkpointer): the work per
  // delivery, which a busy machine distorts less than the latencies (see webhook-path.ts).
  const cpuAtReady = process.cpuUsage();
  console.log(JSON.stringify({ port: bridge.port, token: bridge.token, url: bridge.url }));
  process.on('SIGTERM', () => {
    const applied = (core.replica.stmt('SELECT count(*) AS n FROM bookings').get() as { n: number }).n;
    const cpu = process.cpuUsage(cpuAtReady);
    console.log(JSON.stringify({ applied, cpuMs: (cpu.user + cpu.system) / 1000 }));
    void (async () => {
      await bridge.close();
      await link.close();
      await core.close();
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    })();
  });
}
