/**
 * Sizes a reader can hold (issue #12): no file in src/ over 600 lines, no function over 80 lines of code
 * without its reason. eslint.config.js carries the two rules (`npm run lint`); this proves they bite,
 * that they reach every source file in src/ (a glob that missed a folder would pass quietly), that
 * every exception says why, and counts the lines of the files no ESLint rule reads (CSS, HTML).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const eslint = new ESLint({ cwd: root });

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}
const srcFiles = walk(join(root, 'src')).map((f) => relative(root, f)).sort();
const codeFiles = srcFiles.filter((f) => /\.tsx?$/.test(f));
const lineCount = (text: string): number => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

/** An 81-line function (one statement a line), in a file as long as asked. */
function longFunction(name: string): string {
  return [`export function ${name}(): number {`, '  let n = 0;', ...Array.from({ length: 78 }, () => '  n++;'), '  return n;', '}'].join('\n');
}

describe('file and function size', () => {
  it('reads every file of src/ (over 250)', () => {
    expect(codeFiles.length).toBeGreaterThan(250);
  });

  it('no file in src/ is over 600 lines, whatever its kind', () => {
    const over = srcFiles.map((f) => ({ f, lines: lineCount(readFileSync(join(root, f), 'utf8')) })).filter((x) => x.lines > 600);
    expect(over).toEqual([]);
  });

  it('the lint rules reach every .ts/.tsx file of src/ (the function rule: all but tests and frozen migrations)', async () => {
    const missing: string[] = [];
    for (const f of codeFiles) {
      const rules = ((await eslint.calculateConfigForFile(join(root, f))) as { rules?: Record<string, unknown> }).rules ?? {};
      const severity = (name: string): unknown => (Array.isArray(rules[name]) ? (rules[name] as unknown[])[0] : rules[name]);
      if (severity('max-lines') !== 2) missing.push(`${f}: max-lines`);
      const exempt = f.endsWith('.test.ts') || f.startsWith('src/main/core/db/migrations/');
      if (!exempt && severity('max-lines-per-function') !== 2) missing.push(`${f}: max-lines-per-function`);
    }
    expect(missing).toEqual([]);
  });

  it('a 601-line file and an 81-line function are errors; a function with a reason is not', async () => {
    const lint = async (code: string, path: string): Promise<string[]> => {
      const [result] = await eslint.lintText(code, { filePath: join(root, path) });
      return result!.messages.map((m) => `${m.line} ${m.ruleId ?? m.message}`);
    };
    const filler = Array.from({ length: 601 }, (_, i) => `export const v${i} = ${i};`).join('\n');
    expect(await lint(filler, 'src/main/core/size-fixture.ts')).toEqual(['601 max-lines']);
    expect(await lint(longFunction('tooLong'), 'src/renderer/src/size-fixture.ts')).toEqual(['1 max-lines-per-function']);
    const excused = `// eslint-disable-next-line max-lines-per-function -- a fixture\n${longFunction('excused')}`;
    expect(await lint(excused, 'src/sandbox/size-fixture.ts')).toEqual([]);
  });

  it('every exception in src/ says why, and none switches the file rule off', () => {
    const bad: string[] = [];
    for (const f of codeFiles) {
      readFileSync(join(root, f), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const directive = /eslint-disable(?:-next-line|-line)?\s+([^*]*?)(?:\*\/)?$/.exec(line);
          if (!directive || !/max-lines/.test(directive[1]!)) return;
          const [rules, reason] = directive[1]!.split(/\s--\s/);
          if (/max-lines(?!-)/.test(rules!) || !/max-lines-per-function/.test(rules!) || !reason || reason.trim().split(/\s+/).length < 4) bad.push(`${f}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(bad).toEqual([]);
  });
});
