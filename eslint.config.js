// Lint: the recommended JS and TypeScript rules, with the type-aware ones left to `tsc --noEmit`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers of ARCHITECTURE.md, top first: a layer imports only the layers below it (and itself).
 * `entries/` and `testing/` are public faces over the library and may import any layer but cli/.
 */
const layers = ['cli', 'agent', 'server', 'record', 'report', 'analysis', 'alerts', 'export', 'store', 'logs', 'timing', 'sampling', 'metrics', 'core'];
const layerRules = layers.map((layer, i) => ({
  files: [`src/${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          ...layers.slice(0, i).map((above) => ({
            group: [`**/${above}/**`],
            message: `src/${layer}/ sits below src/${above}/ (ARCHITECTURE.md, Layers): imports point downwards only.`,
          })),
          ...(i > 0 ? [{ group: ['**/entries/**', '**/testing/**'], message: `src/${layer}/ must not import the public faces (entries/, testing/).` }] : []),
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '**/*.d.ts', '.scratch/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: {
        process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly',
        clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly',
        setImmediate: 'readonly', URL: 'readonly', AbortController: 'readonly', performance: 'readonly',
        require: 'readonly', module: 'writable', __dirname: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    // Browser code: the report's page script, serve's dashboard and the chart kit both use
    // (type-checked by assets/report/tsconfig.json).
    files: ['assets/report/**/*.js', 'assets/charts/**/*.js', 'assets/serve/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: {
        window: 'readonly', document: 'readonly', getComputedStyle: 'readonly', devicePixelRatio: 'readonly',
        requestAnimationFrame: 'readonly', atob: 'readonly', Blob: 'readonly', Response: 'readonly',
        DecompressionStream: 'readonly', HTMLElement: 'readonly', uPlot: 'readonly',
        EventSource: 'readonly', fetch: 'readonly', localStorage: 'readonly', MessageEvent: 'readonly',
        HTMLButtonElement: 'readonly', HTMLInputElement: 'readonly', HTMLTableRowElement: 'readonly',
        KeyboardEvent: 'readonly', URLSearchParams: 'readonly',
      },
    },
  },
  ...layerRules,
  {
    // What `perfscope serve` loads runs for months: ICU's collation and locale data, paged in by the first
    // locale-aware call, stay resident for good (+4.4 MiB for a localeCompare, +6.3 MiB for a
    // toLocaleString; src/core/order.ts). Short-lived commands (cli/, report/, analysis/) may use them.
    files: ['src/{agent,server,alerts,export,store,sampling,metrics,core}/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name=/^(localeCompare|toLocaleString|toLocaleDateString|toLocaleTimeString|toLocaleUpperCase|toLocaleLowerCase)$/]",
          message: 'locale-aware calls page in ICU data (MiBs, for good) in the long-running agent: compareCodeUnits (core/order.ts) or plain formatting.',
        },
        { selector: "MemberExpression[object.name='Intl']", message: 'Intl pages in ICU data (MiBs, for good) in the long-running agent.' },
      ],
    },
  },
  {
    files: ['src/entries/**/*.ts', 'src/testing/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/cli/**'], message: 'the public faces do not import the CLI' }] }] },
  },
  {
    // The page scripts read the kit's one global (assets/charts/kit.js defines it).
    files: ['assets/report/**/*.js', 'assets/serve/**/*.js'],
    languageOptions: { globals: { perfscopeKit: 'readonly' } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
