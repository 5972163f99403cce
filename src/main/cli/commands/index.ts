import type { Command } from '../command.ts';
import { sandboxCommand } from './sandbox.ts';

/** Every CLI command, in the order `--help` lists them. */
export const commands: Command[] = [sandboxCommand];
