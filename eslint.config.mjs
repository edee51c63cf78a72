// Lint: TypeScript rules everywhere, plus Temporal's determinism rule for workflow and domain code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = ['fs', 'path', 'os', 'net', 'http', 'https', 'crypto', 'child_process', 'worker_threads', 'dns', 'tls', 'timers', 'process'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/migrations/**', 'coverage/**', '.data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly' } },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox and replays from history; domain code is
    // imported by it. Neither may do I/O, read the clock or randomness, or import the ORM.
    files: ['src/workflows/**/*.ts', 'src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: NODE_BUILTINS.flatMap((m) => [m, `node:${m}`]).map((name) => ({ name, message: 'Workflow/domain code must be deterministic: no Node built-ins.' })),
        patterns: [
          { group: ['@mikro-orm/*', 'pg', 'express', '@apollo/*', 'type-graphql', 'graphql', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'], message: 'Not allowed in workflow/domain code.' },
          { group: ['**/services/**', '**/entities/**', '**/graphql/**', '**/config', '**/logger'], message: 'Workflow/domain code may import only src/domain (and workflow messages).' },
        ],
      }],
      'no-restricted-globals': ['error',
        { name: 'process', message: 'No environment in workflow/domain code.' },
        { name: 'setTimeout', message: 'Use workflow.sleep() in workflows; domain code has no time.' },
        { name: 'setInterval', message: 'Not deterministic.' },
        { name: 'fetch', message: 'No I/O in workflow/domain code.' },
      ],
      'no-restricted-properties': ['error',
        { object: 'Math', property: 'random', message: 'Not deterministic.' },
      ],
    },
  },
  {
    // Inside a workflow Date.now() is Temporal's replay-safe workflow time; domain code has no clock at all.
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'Domain code takes dates as arguments.' },
        { object: 'Math', property: 'random', message: 'Not deterministic.' },
      ],
    },
  },
  {
    files: ['src/domain/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '^(?!decimal\\.js$|\\./).*', message: 'src/domain imports only decimal.js and itself.' }],
      }],
    },
  },
  {
    // Sub-folders of src/domain may reach up one level (still inside src/domain), never further.
    files: ['src/domain/*/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '^(?!decimal\\.js$|\\./|\\.\\./[^.]).*', message: 'src/domain imports only decimal.js and itself.' }],
      }],
    },
  },
);
