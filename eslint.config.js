// ESLint (run by `npm test` and `npm run lint`): typescript-eslint's recommended rules, no import
// cycles, no file over 600 lines, and what each part of the tree may import (docs/architecture.md):
// the renderer only the contract and pure core modules, core nothing that touches a database, the
// file system or Electron. Prettier does the formatting; nothing here is about layout.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

/** Node's own modules, with and without the node: prefix. */
const NODE_BUILTINS = '^(node:.*|fs|fs/promises|path|os|child_process|crypto|url|util|zlib|stream|worker_threads|http|https|net|buffer|events)$';

/** What Node scripts (.mjs) may use without importing it. */
const NODE_GLOBALS = Object.fromEntries(
  ['process', 'console', 'Buffer', 'URL', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'AbortController', 'fetch'].map((name) => [
    name,
    'readonly',
  ]),
);

/** What a renderer file may not import. */
const RENDERER_PATTERNS = [
  { regex: NODE_BUILTINS, message: 'The renderer runs in a sandboxed page: no Node modules.' },
  { regex: '^(electron|better-sqlite3|drizzle-orm)(/.*)?$', message: 'The renderer reaches the main process only through the contract (api.ts).' },
  {
    regex: '(^|/)src-main/(?!core/|ipc/contract\\.ts$|ipc/contract/)',
    message: 'The renderer may import only the contract (src-main/ipc/contract*.ts) and pure core modules (src-main/core/).',
  },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'bench/out/', '.test-output/', 'test-results/', 'playwright-report/', 'resources/', 'drizzle/', '.electron-native/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,js,mjs}'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.mjs', '.js'] })],
    },
    rules: {
      // A cycle makes load order matter and hides which module owns what.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'max-lines': ['error', { max: 600 }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Tests build malformed data on purpose and look for control characters in output.
    files: ['tests/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', 'no-control-regex': 'off' },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: NODE_GLOBALS },
  },
  {
    // The renderer runs sandboxed in a browser page: it reaches the main process only through the
    // contract (src-renderer/api.ts), and shares only pure core code with it.
    files: ['src-renderer/**/*.{ts,tsx}'],
    ignores: ['src-renderer/vite.config.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: RENDERER_PATTERNS }] },
  },
  {
    // A screen folder (screens/reports, screens/area) shares pieces through components/ and the
    // modules at src-renderer's root, never by reaching into another screen's files.
    files: ['src-renderer/screens/*/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...RENDERER_PATTERNS,
            { regex: '^\\.\\./[^./]', message: "Move what two screens share into src-renderer/components (or a module at src-renderer's root)." },
          ],
        },
      ],
    },
  },
  {
    // Core is pure domain logic: tested and used without a database, files or Electron.
    files: ['src-main/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(node:)?(fs|fs/promises|child_process|worker_threads|http|https|net)$', message: 'Core does no I/O: read files in db/ or the caller.' },
            { regex: '^(electron|better-sqlite3|drizzle-orm)(/.*)?$', message: 'Core knows no database and no Electron.' },
            { regex: '^\\.\\./(\\.\\./)*(db|ipc|electron|host|cli)/', message: 'Core imports only other core modules.' },
          ],
        },
      ],
    },
  },
);
