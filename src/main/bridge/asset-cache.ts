/**
 * The built renderer's assets (`assets/`, every name carrying its content hash, so served `immutable`)
 * held in memory once read, and read in the background when the bridge starts.
 *
 * Why: a file streamed from disk needs several turns of the event loop, and the loop is shared with
 * the core's calls. The page asks for the queue's first window and fetches the app's chunk at the same
 * time (src/renderer/src/main.tsx), and a streamed chunk waited behind that window's answer (hundreds
 * of ms at 1M bookings), where a file:// page in the Electron window would not. From memory it is
 * written at once. About 650 kB for a build.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, sep } from 'node:path';

export class AssetCache {
  private readonly held = new Map<string, Buffer>();
  private readonly dir: string;

  constructor(staticRoot: string) {
    this.dir = join(staticRoot, 'assets');
    void readdir(this.dir)
      .then((names) => Promise.all(names.map((n) => this.read(join(this.dir, n)))))
      .catch(() => {});
  }

  /** Whether this file is one of the hashed assets (so kept). */
  holds(file: string): boolean {
    return file.startsWith(this.dir + sep);
  }

  get(file: string): Buffer | undefined {
    return this.held.get(file);
  }

  /** Reads an asset and keeps it. */
  async read(file: string): Promise<Buffer> {
    const body = await readFile(file);
    this.held.set(file, body);
    return body;
  }
}
