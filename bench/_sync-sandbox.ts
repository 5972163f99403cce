// Child process for bench/sync.ts: the sandbox runs apart so its work never colours the core's figures.
import { startSandbox } from '../src/sandbox/index.ts';

const [dataFile, key, bookings, offerings] = process.argv.slice(2);
const sbx = await startSandbox({
  dataFile: dataFile!,
  port: 0,
  keys: [key!],
  seed: { bookings: Number(bookings), offerings: Number(offerings) },
  rateLimitPerMinute: 10_000_000,
});
console.log(JSON.stringify({ url: sbx.url }));
process.on('SIGTERM', () => void sbx.close().then(() => process.exit(0)));
