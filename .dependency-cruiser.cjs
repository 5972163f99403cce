/**
 * dependency-cruiser's view of src/: no import cycle (run by test/architecture/cycles.test.ts, part of
 * `npm test`). Layers are ESLint's job (eslint.config.js, import-x/no-restricted-paths); this file
 * only finds circles, over .ts and .tsx alike.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Two modules that import each other (directly or through others) cannot be understood, tested or moved apart.',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    // Type-only imports count, deliberately: `import type` vanishes from the JavaScript, but a circle
    // of types still ties two modules' definitions together (core.ts ↔ extras.ts was one).
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    // Relative imports carry their extension (.ts/.tsx), so plain resolution finds every file.
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs'] },
  },
};
