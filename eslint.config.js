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

// Inside the panel (bulletproof-react's one-way imports): app composes features; a feature takes shared
// code from src/web/components and src/web/lib, and from another feature only its api/ (query
// factories and fetchers), never its components or hooks; shared code imports no feature and no app.
const webFeatures = ['accounts', 'auth', 'exports', 'imports', 'projects'];
const webZones = [
  ...webFeatures.flatMap((target) =>
    webFeatures
      .filter((from) => from !== target)
      .map((from) => ({
        target: `./src/web/features/${target}`,
        from: `./src/web/features/${from}`,
        except: ['./api'],
        message: `features/${target} may import features/${from} only through its api/; move what both need to src/web/components or src/web/lib.`,
      })),
  ),
  {
    target: './src/web/features',
    from: './src/web/app',
    message: 'features are composed by app, never the other way round.',
  },
  {
    target: ['./src/web/components', './src/web/lib'],
    from: ['./src/web/features', './src/web/app'],
    message: 'shared web code (components, lib) imports no feature and no app.',
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
    // The same rule again for the panel: its zones are the house zones plus the feature zones.
    files: ['src/web/**/*.{ts,tsx}'],
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: [...importZones, ...webZones] }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
