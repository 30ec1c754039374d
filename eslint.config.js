// ESLint for the whole repository (`npm run lint`, zero warnings). The plugins live in tools/lint/
// (their own install: typescript-eslint needs the TypeScript 6 JS API; the app builds with TypeScript 7).
import { globals, js, reactHooks, tseslint } from './tools/lint/index.js';

/** What core/ must never import: UI and server frameworks, and the UIs themselves (ARCHITECTURE.md). */
export const CORE_FORBIDDEN = ['ink', 'react', 'react-dom', 'express', 'ws', '@inkjs/ui', 'ink-*', '@inquirer/*'];
const forbiddenPackage = `^(${CORE_FORBIDDEN.map((p) => p.replace('*', '.*').replace('/', '\\/')).join('|')})(\\/.*)?$`;
const forbiddenFolder = '^(\\.\\./)+(cli|dashboard)(/|$)';
/** The same for a selector: esquery ends a regex at its first '/', so a slash is written \u002F there. */
const inSelector = (re) => re.replaceAll('\\/', '/').replaceAll('/', '\\u002F');

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'tools/lint/node_modules/**', '.outpost/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A leading underscore marks a value left out on purpose (`const { secret: _s, ...rest } = …`).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // Outpost cleans text from databases and terminals: control characters in a regex are the point.
      'no-control-regex': 'off',
      // A variable a closure reads before its one assignment (Ink's unmount) stays `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // Tests poke at parsed JSON of any shape.
    files: ['test/**/*.{ts,tsx}'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['dashboard/web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // The rules of hooks and complete effect dependencies. The plugin's React Compiler rules
    // (set-state-in-effect, refs, purity…) are left out: Outpost does not build with the compiler.
    files: ['**/*.tsx', 'dashboard/web/**/*.ts', 'cli/wizard/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  {
    // The boundary: core/ is everything that is not UI (ARCHITECTURE.md).
    files: ['core/**/*.{ts,tsx,js,mjs}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: forbiddenPackage,
              message: 'core/ never imports UI or server frameworks (ink, react, express, ws…); put this in cli/ or dashboard/.',
            },
            { regex: forbiddenFolder, message: 'core/ never imports from cli/ or dashboard/; move the shared code into core/.' },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: `ImportExpression[source.value=/${inSelector(forbiddenPackage)}/]`,
          message: 'core/ never imports UI or server frameworks (ink, react, express, ws…), not even lazily.',
        },
        {
          selector: `ImportExpression[source.value=/${inSelector(forbiddenFolder)}/]`,
          message: 'core/ never imports from cli/ or dashboard/, not even lazily.',
        },
      ],
    },
  },
);
