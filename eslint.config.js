// ESLint (flat config): typescript-eslint's recommended rules, React hooks rules for the views,
// and the layer rule. The layers are enforced with ESLint's own `no-restricted-imports` (one
// block per folder, regex on the import path): it ships with ESLint, so it is as maintained as
// ESLint itself, needs no resolver setup, and its message names the rule being broken.
// (eslint-plugin-boundaries / import-x's no-restricted-paths do the same with a resolver and
// another dependency; for one-directional folder rules the built-in is enough.)
//
// Layers, each importing only from those below it:
//   core ← worker ← batch, packs ← stores, sw ← components ← app
//   cli (headless CLI page) sits beside stores: core, worker, batch; no React.
//   render3d: three.js only, no React, no app state.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

/** A relative import that reaches into one of `folders` (any depth of ../). */
const into = (folders) => `^(\\.\\./)+(${folders.join('|')})(/|$)`;
const REACT = ['react', 'react-dom', 'react-dom/client', '@tanstack/react-virtual'];

/** A layer rule: `folder` may not import from `banned` folders or `packages`. */
function layer(folder, banned, packages, why) {
  const patterns = [];
  if (banned.length) patterns.push({ regex: into(banned), message: `${why} (${folder} may not import from ${banned.join(', ')})` });
  if (packages.length) patterns.push({ regex: `^(${packages.map((p) => p.replace(/[/.]/g, '\\$&')).join('|')})$`, message: `${why} (no ${packages.join(', ')} in ${folder})` });
  return {
    files: [`src/${folder}/**/*.{ts,tsx,js}`],
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  };
}

const ABOVE_CORE = ['worker', 'batch', 'packs', 'stores', 'sw', 'components', 'cli', 'render3d', 'app'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'public/**', 'test-results/**', 'e2e/.fixtures/**', 'training/**', 'src/sw/serviceWorker.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.worker, ...globals.node } },
    rules: {
      // `_`-prefixed names are deliberately unused (destructuring a field away, callback arity).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['src/components/**/*.tsx', 'src/app/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
  {
    // Playwright reads a fixture's first parameter as an object pattern; `{}` means "no fixtures".
    files: ['e2e/**/*.ts'],
    rules: { 'no-empty-pattern': 'off' },
  },
  layer('core', ABOVE_CORE, [...REACT, 'zustand', 'three'], 'core is framework-free and runs in the worker'),
  layer('worker', ['batch', 'packs', 'stores', 'sw', 'components', 'cli', 'render3d', 'app'], [...REACT, 'zustand', 'three'], 'the worker layer sits on core only'),
  layer('batch', ['stores', 'sw', 'components', 'cli', 'render3d', 'app', 'packs'], [...REACT, 'zustand', 'three'], 'batch/ has no React and no app state'),
  layer('packs', ['worker', 'batch', 'stores', 'sw', 'components', 'cli', 'render3d', 'app'], [...REACT, 'zustand', 'three'], 'packs/ reads and stores packs on core alone'),
  layer('render3d', ['worker', 'batch', 'packs', 'stores', 'sw', 'components', 'cli', 'app'], [...REACT, 'zustand'], 'render3d is three.js without React'),
  layer('stores', ['components', 'cli', 'app'], [], 'stores sit below the views'),
  layer('sw', ['core', 'worker', 'batch', 'packs', 'stores', 'components', 'cli', 'render3d', 'app'], REACT, 'the service-worker helpers stand alone'),
  layer('components', ['cli', 'app'], [], 'views sit below the app shell'),
  layer('cli', ['stores', 'sw', 'components', 'render3d', 'app'], [...REACT, 'zustand'], 'the CLI page runs the batch layer headless, without React'),
);
