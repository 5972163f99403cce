/**
 * The relay as its own deployable: `node src/relay/main.ts --store … --admin-token …` (Node ≥ 24).
 * Same options as `orkestr-console relay` (both run src/relay/cli.ts), but it loads only the relay's
 * modules (ws, pg, better-sqlite3), so a server install needs no desktop dependencies (`npm ci --omit=dev`).
 */
import { relayMain } from './cli.ts';

process.exitCode = await relayMain(process.argv.slice(2));
