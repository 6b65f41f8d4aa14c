import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import pluginQuery from '@tanstack/eslint-plugin-query';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

// The house rule: contract imports nothing of ours; web, server and sdk import contract and never each other.
const importZones = [
  {
    target: './src/contract',
    from: ['./src/server', './src/web', './src/sdk'],
    message: 'contract imports nothing of ours.',
  },
  {
    target: './src/server',
    from: ['./src/web', './src/sdk'],
    message: 'server speaks to others only through src/contract.',
  },
  {
    target: './src/web',
    from: ['./src/server', './src/sdk'],
    message: 'web speaks to others only through src/contract.',
  },
  {
    target: './src/sdk',
    from: ['./src/server', './src/web'],
    message: 'sdk speaks to others only through src/contract.',
  },
];

export default tseslint.config(
  {
    ignores: [
      'dist',
      'node_modules',
      'data',
      'test-results',
      'playwright-report',
      'coverage',
      'bin',
      'postcss.config.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node, ...globals.browser },
    },
    plugins: { 'import-x': importX },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: importZones }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['src/web/**/*.{ts,tsx}'],
    plugins: { '@tanstack/query': pluginQuery, 'react-hooks': reactHooks },
    rules: {
      ...pluginQuery.configs['flat/recommended-strict'].reduce(
        (acc, c) => ({ ...acc, ...c.rules }),
        {},
      ),
      ...reactHooks.configs.recommended.rules,
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
