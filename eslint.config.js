// Lint: the recommended JS and TypeScript rules, with the type-aware ones left to `tsc --noEmit`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
