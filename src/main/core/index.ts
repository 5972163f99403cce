/**
 * The console core's one entry point for its hosts (the engine, `serve`, the CLI, tests, benches):
 * `createCore(options)` gives a core whose contract handlers they reach through dispatchCall.
 */
import { ConsoleCore, type ConsoleCoreOptions } from './core.ts';

export { ConsoleCore, type ConsoleCoreOptions };

export function createCore(options: ConsoleCoreOptions): ConsoleCore {
  return new ConsoleCore(options);
}

export * from './db/care.ts';
