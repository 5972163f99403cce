import { startTestSandbox, type FixtureOptions, type SandboxFixture } from '../support/sandbox.ts';

export const KEY = 'ork_synctest.abcdefghijklmnopqrstuvwx';
export const KEY2 = 'ork_synctst2.ZYXWVUTSRQPONMLKJIHGFEDCBA';

/** The sync tests' sandbox: the demo tenant, with KEY (read/write on atlas). */
export function sandbox(opts: FixtureOptions = {}): Promise<SandboxFixture> {
  return startTestSandbox({ seed: 'demo', keys: [KEY], ...opts });
}
