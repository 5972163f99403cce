/**
 * The CLI's way into the core for commands that map to a contract method: the same dispatchCall as
 * Electron IPC and the bridge, so input is validated by the contract's schemas and errors mapped
 * once. BAD_INPUT becomes a usage error (exit 2), named by the command's own options; any other
 * failure is a CLI error (exit 1).
 */
import type { MethodInput, MethodName, MethodResults } from '../../shared/contract/types.ts';
import { dispatchCall, type ContractHost } from '../dispatch.ts';
import { CliError, UsageError } from './command.ts';

/** How a command names a contract input field (e.g. `startsAt` → `--starts`). */
export type OptionNames = Readonly<Record<string, string>>;

export async function callContract<M extends MethodName>(host: ContractHost, method: M, input: MethodInput<M>, names: OptionNames = {}): Promise<MethodResults[M]> {
  const out = await dispatchCall(host, method, input);
  if (out.ok) return out.result as MethodResults[M];
  const { code, message, fields } = out.error;
  if (code === 'BAD_INPUT') {
    throw new UsageError(fields?.length ? fields.map((f) => `${names[f.path] ?? f.path}: ${f.message}`).join('; ') : message);
  }
  throw new CliError(message);
}
