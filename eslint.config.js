// @ts-check
import tseslint from 'typescript-eslint';
import { importX, createNodeResolver } from 'eslint-plugin-import-x';

/** Node, Electron and native modules must never reach the renderer or the browser-safe part of src/shared. */
const nodeOnlyModules = ['node:*', 'electron', 'better-sqlite3', 'kysely', 'pg', 'ws', 'ical-generator', 'csv-parse', 'csv-parse/*', 'fs', 'fs/*', 'path', 'os', 'crypto', 'http', 'https', 'net', 'child_process', 'worker_threads', 'url', 'util', 'stream', 'events'];

/**
 * The layers (docs/architecture.md, "Rules the code keeps"). Each zone names a folder (`target`) and
 * everything of ours it may import (`except`, relative to `from`, which is all of src/): an import
 * that resolves anywhere else in src/ is an error. Paths are resolved, not read off the import text,
 * so `../shell/x.ts` from src/main/core is caught however it is spelled; type-only imports count
 * (a type from the wrong layer couples the layers as much as a value does). Test files are not in
 * the layers: a test may start the sandbox beside the core.
 * test/architecture/layers.test.ts lints the fixtures in test/lint-fixtures/ to prove each zone bites.
 */
const hostFiles = ['./main/app.ts', './main/dispatch.ts', './main/index.ts', './main/engine', './main/shell', './main/bridge', './main/cli'];
const layerZones = [
  {
    target: 'src/renderer',
    from: 'src',
    except: ['./renderer', './shared/contract/types.ts', './shared/contract/channels.ts', './shared/contract/messages.ts', './shared/backoff.ts'],
    message: 'The renderer knows only the zod-free contract (src/shared/contract/{types,channels,messages}.ts) and src/shared/backoff.ts.',
  },
  {
    target: 'src/preload',
    from: 'src',
    except: ['./preload', './shared/contract/types.ts', './shared/contract/channels.ts'],
    message: 'The preload exposes the contract and nothing else.',
  },
  {
    target: 'src/shared',
    from: 'src',
    except: ['./shared'],
    message: 'src/shared imports nothing of ours outside src/shared.',
  },
  {
    // The browser-safe part of shared (what the renderer may load) never reaches the Node-only
    // plumbing in src/shared/node, nor the zod schemas (they would pull zod into the renderer).
    target: ['src/shared/*.ts', 'src/shared/contract/!(schemas).ts'],
    from: ['src/shared/node', 'src/shared/contract/schemas.ts'],
    message: 'The browser-safe part of src/shared imports neither src/shared/node (Node-only) nor src/shared/contract/schemas.ts (zod).',
  },
  {
    target: 'src/main/core',
    from: 'src',
    except: ['./main/core', './shared', './relay/protocol'],
    message: 'The core depends on src/shared and the relay protocol (src/relay/protocol) only: never on its hosts (shell, cli, bridge, engine, dispatch, app), the relay server or the sandbox.',
  },
  {
    // Shipped migrations are frozen text: importing live code would let an edit elsewhere rewrite them.
    target: 'src/main/core/db/migrations',
    from: 'src',
    except: ['./main/core/db/migrations'],
    message: 'A migration imports only files of src/main/core/db/migrations/: its SQL is written out, never built from live code.',
  },
  {
    target: hostFiles.map((p) => `src/${p.slice(2)}`),
    from: 'src',
    except: [...hostFiles, './main/core/index.ts', './shared', './relay/protocol', './relay/index.ts', './relay/cli.ts', './sandbox/index.ts'],
    message: 'Hosts (shell, bridge, CLI, engine, app, dispatch) reach the core through src/main/core/index.ts, the relay and the sandbox through their entry points (src/relay/index.ts, src/relay/cli.ts, src/sandbox/index.ts).',
  },
  {
    // The relay server's files (its protocol, below, has a zone of its own).
    target: ['src/relay/*.ts', 'src/relay/!(protocol)/**'],
    from: 'src',
    except: ['./relay', './shared'],
    message: 'The relay is its own deployable: it imports src/shared and its own files only.',
  },
  {
    target: 'src/relay/protocol',
    from: 'src',
    except: ['./relay/protocol', './shared'],
    message: 'The relay protocol is shared by the relay server and the console core: it imports src/shared only.',
  },
  {
    target: 'src/sandbox',
    from: 'src',
    except: ['./sandbox', './shared'],
    message: 'The sandbox is its own deployable: it imports src/shared and its own files only.',
  },
];

export default tseslint.config(
  // test/lint-fixtures holds files with forbidden imports on purpose; the layers test lints them itself.
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'resources/**', 'test-results/**', '.tmp/**', 'test/lint-fixtures/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // Sizes a reader can hold (issue #12): no file in src/ over 600 lines, and no function over 80
    // lines of code (comments and blank lines not counted) unless the line before it says why:
    // `// eslint-disable-next-line max-lines-per-function -- <the reason>`. Test files are lists of
    // cases (a describe block is long by nature); shipped migrations are frozen text (their hash is
    // checked), so neither gets the function rule. test/architecture/size.test.ts proves both rules
    // bite, reach every source file in src/, and that every exception gives its reason.
    files: ['src/**/*.{ts,tsx}'],
    rules: { 'max-lines': ['error', { max: 600 }] },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['**/*.test.ts', 'src/main/core/db/migrations/**'],
    rules: { 'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true, IIFEs: true }] },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['**/*.test.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs'] })] },
    rules: { 'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones: layerZones }] },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}', 'src/preload/**/*.ts', 'src/shared/**/*.ts'],
    ignores: ['src/shared/node/**', 'src/shared/contract/schemas.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeOnlyModules, message: 'The renderer and the browser-safe part of src/shared run in a browser: no Node or Electron modules (src/shared/node is the Node-only part).' },
            { group: ['zod', 'zod/*'], message: 'zod stays out of the renderer bundle: validation schemas live in src/shared/contract/schemas.ts, which only the core and its hosts import.' },
          ],
        },
      ],
    },
  },
  {
    // The schemas are zod's, and the core's hosts run them in any process: still no Node module.
    files: ['src/shared/contract/schemas.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: nodeOnlyModules, message: 'The contract is browser-safe: no Node or Electron modules.' }] }] },
  },
  {
    // The preload runs in Electron's sandboxed renderer: electron (contextBridge, ipcRenderer) and nothing of Node.
    files: ['src/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: nodeOnlyModules.filter((m) => m !== 'electron'), message: 'The preload is sandboxed: electron only, no Node modules.' }, { group: ['zod', 'zod/*'], message: 'The preload exposes the contract; the main process validates.' }] },
      ],
    },
  },
);
