import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

const layer = (name) => [`./${name}/*`, `../${name}/*`, `../../${name}/*`, `**/${name}/*`];
const forbid = (files, layers, why) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: layers.map((l) => ({ group: layer(l), message: `${why} (layer rule, eslint.config.mjs)` })),
      },
    ],
  },
});

function layerRules() {
  return [
    forbid(
      ['server/*/interfaces/**/*.ts'],
      ['logics', 'driveradapters', 'drivenadapters'],
      'interfaces hold only types and contracts: they import only interfaces and common',
    ),
    forbid(
      ['server/*/drivenadapters/**/*.ts'],
      ['logics', 'driveradapters'],
      'a driven adapter implements an interface; it does not reach into logic or inbound adapters',
    ),
    forbid(
      ['server/*/logics/**/*.ts'],
      ['driveradapters', 'drivenadapters'],
      'logic knows adapters only through interfaces (wiring lives in main.ts / the factories)',
    ),
    forbid(
      ['server/common/**/*.ts'],
      ['pipeline-mgmt', 'pipeline-worker'],
      'common code is shared by both services and depends on neither',
    ),
  ];
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.stack/', '.tools/', 'coverage/', 'charts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  { files: ['test/**/*.ts', 'bench/**/*.ts'], rules: { 'no-console': 'off' } },
  // The layers of each service: driveradapters -> logics -> interfaces <- drivenadapters, and common/
  // below both services. An import against that direction is a lint error.
  ...layerRules(),
  prettier,
);
