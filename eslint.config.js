// Lint for the whole repository: typescript-eslint's type-checked rules (an `any` is a defect), no
// duplicate imports, and comments and code within 120 columns (long string literals and URLs may run on).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/results/**', '.scv-mock/**', 'coverage/**', 'scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      'no-duplicate-imports': ['error', { allowSeparateTypeImports: true }],
      'max-len': [
        'error',
        { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreUrls: true, ignoreRegExpLiterals: true },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // async marks what callers await (interfaces whose other implementations do I/O); no await inside is fine.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // On Node 20 an object literal that opens with a spread and goes on makes a new hidden class every time
    // it runs (mock-server/object-merge.ts says what that cost); the server's code uses merged() instead.
    // The CLI's, the dashboard's and the conformance runner's literals run once or against a remote org.
    files: ['mock-server/**/*.ts'],
    ignores: ['mock-server/cli/**', 'mock-server/dashboard/**', 'mock-server/conformance/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "ObjectExpression[properties.length>1][properties.0.type='SpreadElement']",
          message:
            'On Node 20 `{ ...a, b }` makes a new hidden class per object (slow to build, megamorphic to read): ' +
            'use merged(a, { b }) or changed(record, { b }) from mock-server/object-merge.ts.',
        },
      ],
    },
  },
  {
    // supertest types every response body as any; the tests read it as the assertions require, and parse it
    // with the contracts' zod schemas where its shape is what is being tested.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
  },
  {
    // The dashboard's script runs in the browser (its types are checked by mock-server/dashboard/ui/tsconfig.json).
    files: ['mock-server/dashboard/ui/**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(
        [
          'document',
          'fetch',
          'localStorage',
          'location',
          'navigator',
          'confirm',
          'setTimeout',
          'clearTimeout',
          'AbortController',
          'TextDecoderStream',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
);
