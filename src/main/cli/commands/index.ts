import type { Command } from '../command.ts';
import { sandboxCommand } from './sandbox.ts';
import { serveCommand } from './serve.ts';

/** Every CLI command, in the order `--help` lists them. */
export const commands: Command[] = [serveCommand, sandboxCommand];
