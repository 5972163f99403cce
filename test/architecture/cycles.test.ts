/**
 * No import cycle in src/ (.ts and .tsx, type-only imports included: see .dependency-cruiser.cjs),
 * and proof on fixtures that the check finds a type-only circle and a .tsx circle.
 */
import { join } from 'node:path';
import { cruise, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

async function cycles(paths: string[]): Promise<string[][]> {
  const options = await extractDepcruiseOptions(join(root, '.dependency-cruiser.cjs'));
  // Modules are named relative to baseDir (the repository), whatever the working directory.
  const result = await cruise(paths, { ...options, baseDir: root, validate: true });
  if (typeof result.output === 'string') throw new Error('expected a cruise result, got a report');
  const violations: IViolation[] = result.output.summary.violations;
  return violations.filter((v) => v.rule.name === 'no-circular').map((v) => (v.cycle ?? []).map((step) => step.name).sort());
}

describe('import cycles', () => {
  it('src/ has none', async () => {
    expect(await cycles(['src'])).toEqual([]);
  });

  it('are found in .ts through type-only imports and in .tsx (fixtures)', async () => {
    const found = await cycles(['test/lint-fixtures/cycles']);
    expect(found).toHaveLength(2);
    expect(found).toContainEqual(['test/lint-fixtures/cycles/a.ts', 'test/lint-fixtures/cycles/b.ts']);
    expect(found).toContainEqual(['test/lint-fixtures/cycles/d.tsx', 'test/lint-fixtures/cycles/e.tsx']);
  });
});
