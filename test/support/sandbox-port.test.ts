import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ephemeralPortRange } from './ports.ts';
import { startTestSandbox } from './sandbox.ts';

describe('the sandbox fixture', () => {
  it('listens below the kernel\'s ephemeral ports, so a restart on its port cannot find it given away', async () => {
    const s = await startTestSandbox();
    try {
      const port = s.port;
      expect(port).toBeLessThan(ephemeralPortRange().low);
      await s.close();
      // Listeners on "any free port" opened meanwhile (other tests) are given ephemeral ports only.
      const others = await Promise.all(
        Array.from({ length: 20 }, () => new Promise<ReturnType<typeof createServer>>((resolve) => { const srv = createServer(); srv.listen(0, '127.0.0.1', () => resolve(srv)); })),
      );
      await s.restart();
      expect(s.port).toBe(port);
      expect((await s.api('GET', '/v1/api/me')).status).toBe(200);
      for (const srv of others) srv.close();
    } finally {
      await s.dispose();
    }
  });
});
