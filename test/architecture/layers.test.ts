/**
 * The layering rules (eslint.config.js) bite: each fixture in test/lint-fixtures/layers is linted with
 * ESLint's Node API as if it stood at the path named on its first line (`// lint-as: src/…`). A line
 * ending in `// ✗ <rule>` must get exactly that error; every other import line must get none.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const fixtureDir = join(root, 'test', 'lint-fixtures', 'layers');
const layerRules = new Set(['import-x/no-restricted-paths', 'no-restricted-imports']);
const fixtures = readdirSync(fixtureDir).filter((name) => /\.tsx?$/.test(name)).sort();

interface Fixture {
  name: string;
  lintAs: string;
  code: string;
  expected: string[];
}

function readFixture(name: string): Fixture {
  const code = readFileSync(join(fixtureDir, name), 'utf8');
  const lintAs = /^\/\/ lint-as: (\S+)\n/.exec(code)?.[1];
  if (!lintAs) throw new Error(`${name}: the first line must be "// lint-as: src/…"`);
  const expected = code.split('\n').flatMap((line, i) => {
    const marker = /\/\/ ✗ (\S+)$/.exec(line);
    return marker ? [`${i + 1} ${marker[1]}`] : [];
  });
  return { name, lintAs, code, expected };
}

const eslint = new ESLint({ cwd: root });

describe('layering lint rules', () => {
  it('has fixtures for every layer, each with forbidden and allowed imports', () => {
    expect(fixtures).toEqual(['core.ts', 'host.ts', 'migration.ts', 'preload.ts', 'relay-protocol.ts', 'relay.ts', 'renderer.tsx', 'sandbox.ts', 'shared-node.ts', 'shared.ts']);
    for (const name of fixtures) expect(readFixture(name).expected.length, name).toBeGreaterThan(0);
  });

  // An import the resolver cannot find is skipped by the rule, so an "allowed" line proves nothing
  // unless its target exists: every relative import of the fixtures must point at a real file.
  it.each(fixtures)('%s imports only files that exist (seen from where it is linted)', (name) => {
    const { lintAs, code } = readFixture(name);
    const specifiers = [...code.matchAll(/(?:from |import\()'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
    expect(specifiers.length).toBeGreaterThan(0);
    const missing = specifiers.filter((spec) => !existsSync(join(root, dirname(lintAs), spec)));
    expect(missing).toEqual([]);
  });

  it.each(fixtures)('%s: forbidden imports are errors, allowed ones are not', async (name) => {
    const { lintAs, code, expected } = readFixture(name);
    const [result] = await eslint.lintText(code, { filePath: join(root, lintAs) });
    expect(result!.messages.filter((m) => m.fatal)).toEqual([]);
    // A line inside two zones (the core and its migrations folder) may be reported by both: count it once.
    const reported = [...new Set(result!.messages.filter((m) => m.ruleId !== null && layerRules.has(m.ruleId)).map((m) => `${m.line} ${m.ruleId}`))];
    expect(reported).toEqual(expected);
  });
});
