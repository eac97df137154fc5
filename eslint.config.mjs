// Flat config: typescript-eslint's recommended rules over our TypeScript,
// Prettier owns formatting (it runs separately in `npm run lint`).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      'lib/**',
      'build/**',
      'dist/**',
      'jupyterlab_ocean/labextension/**',
      '.venv/**',
      '.venv-matrix/**',
      '.venv-bench/**',
      '.venv-bench-torch/**',
      'stack/**',
      '.lab-state/**',
      '.ocean-stack/**',
      'ui-tests/test-results/**',
      'ui-tests/playwright-report/**',
      // Playwright's HTML report (outputFolder in ui-tests/playwright.config.ts).
      'ui-tests/report/**'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mts', '**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: { ...globals.browser, ...globals.node }
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-namespace': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { args: 'none', caughtErrors: 'none' }
      ],
      eqeqeq: ['error', 'smart'],
      'prefer-const': 'error',
      'no-console': ['error', { allow: ['warn', 'error', 'log'] }]
    }
  },
  {
    // Playwright fixtures that need no other fixture must say so with `{}`.
    files: ['ui-tests/**/*.ts'],
    rules: { 'no-empty-pattern': 'off' }
  }
);
