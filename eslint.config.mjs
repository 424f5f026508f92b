import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.data/**', 'miniapp/.swc/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
  {
    files: ['miniapp/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // dependency rules (ARCHITECTURE.md): shared imports nothing of ours; miniapp and cloud never import each other
    files: ['shared/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['@citysport/*', '../../cloud/*', '../../miniapp/*', '../../mock/*'] }] },
  },
  {
    files: ['cloud/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['@citysport/miniapp', '@citysport/mock', '**/miniapp/**', '**/mock/**'] }] },
  },
  {
    files: ['cloud/src/platform/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/modules/**', '@citysport/miniapp', '@citysport/mock'] }] },
  },
  {
    files: ['miniapp/**/*.{ts,tsx}'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['@citysport/cloud', '@citysport/mock', '**/cloud/**', '**/mock/**'] }] },
  },
);
