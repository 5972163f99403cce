import { readFileSync } from 'node:fs';

/**
 * The kernel's range for ephemeral ports (`port: 0` listeners, outgoing connections). A test server
 * that is stopped and started again on the same port must not live in it: between the stop and the
 * start any other test's server or connection can be given that port (CI saw EADDRINUSE on restart
 * under load).
 */
export function ephemeralPortRange(): { low: number; high: number } {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low && high) return { low, high };
  } catch {
    // Not Linux: the IANA dynamic range.
  }
  return { low: 49152, high: 65535 };
}

/** Starts a server on a random port below the ephemeral range, trying another when one is taken. */
export async function startBelowEphemeralPorts<T>(start: (port: number) => Promise<T>): Promise<T> {
  const { low } = ephemeralPortRange();
  const base = Math.max(1024, Math.min(20_000, low - 1000));
  for (let attempt = 0; ; attempt++) {
    const port = base + Math.floor(Math.random() * (low - base));
    try {
      return await start(port);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 50) throw error;
    }
  }
}
