// Lint: typescript-eslint's recommended rules, promises that are never left floating, and the
// fence around deterministic code. Workflow code (workflows/) and the planner it runs
// (pathway/planner/, pathway/model/) run inside Temporal's sandbox on every replay: no Node
// built-ins, no I/O or parsing libraries, activities imported as types only.
import js from '@eslint/js';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['node_modules/**', '.data/**', 'tests/replay/histories/**', 'tests/programs/golden/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['workflows/**/*.ts', 'pathway/planner/**/*.ts', 'pathway/model/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.map((name) => ({
              name,
              message: 'workflow and planner code is deterministic: no Node built-ins (pass what it needs in its input, or use an activity)',
            })),
            ...['yaml', 'ajv', 'pg', 'kysely', 'pino', 'fastify'].map((name) => ({
              name,
              message: 'no I/O or parsing libraries in workflow and planner code',
            })),
          ],
          patterns: [
            {
              group: ['**/activities/*', '**/activities/**'],
              allowTypeImports: true,
              message: 'workflow code imports activities as types only (import type …)',
            },
            {
              group: ['**/db/**', '**/api/**', '**/channels/**', '**/infra/**', '**/pathway/compiler/**'],
              allowTypeImports: true,
              message: 'workflow and planner code reaches these only as types',
            },
          ],
        },
      ],
    },
  },
  {
    // Migrations are frozen in time: they take Kysely<any>, not today's Database type (Kysely's advice).
    files: ['db/migrations/**/*.ts', 'db/migrate.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // HTTP answers in tests are JSON read field by field.
    files: ['tests/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: {
        process: 'readonly',
        console: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        require: 'readonly',
        module: 'writable',
        exports: 'writable',
        __dirname: 'readonly',
      },
    },
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/no-require-imports': 'off' },
  },
);
