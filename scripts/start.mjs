// `npm start`: build, then open the Electron window where Electron can run; otherwise say so in one
// line and serve the same console to a browser through the loopback bridge.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

const build = spawnSync(bin('electron-vite'), ['build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  console.error('npm start: the build failed (see above).');
  process.exit(1);
}

/** The Electron binary, if this machine has one; never triggers a download. */
function electronBinary() {
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) return join(process.env.ELECTRON_OVERRIDE_DIST_PATH, 'electron');
  const pathFile = join(root, 'node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile)) return null;
  const file = join(root, 'node_modules', 'electron', 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(file) ? file : null;
}

function electronCanStart(binary) {
  if (!binary) return 'its binary is not installed here';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return 'there is no display';
  const probe = spawnSync(binary, ['--version'], { timeout: 15_000 });
  return probe.status === 0 ? null : 'its binary does not run here';
}

const binary = electronBinary();
const why = electronCanStart(binary);
if (why === null && binary) {
  const child = spawn(binary, [root], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  const args = ['serve'];
  if (process.env.ORKESTR_API_URL && process.env.ORKESTR_API_KEY) args.push('--api', process.env.ORKESTR_API_URL);
  else args.push('--demo');
  if (process.env.ORKESTR_CONSOLE_PORT) args.push('--port', process.env.ORKESTR_CONSOLE_PORT);
  console.log(`Electron cannot start on this machine (${why}); serving the console in your browser instead:`);
  const { main } = await import('../src/main/cli/main.ts');
  process.exitCode = await main(args);
}
