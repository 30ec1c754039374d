// The lint tools, installed in tools/lint (see package.json there for why), re-exported for the
// repository's eslint.config.js.
export { default as js } from '@eslint/js';
export { default as reactHooks } from 'eslint-plugin-react-hooks';
export { default as globals } from 'globals';
export { default as tseslint } from 'typescript-eslint';
