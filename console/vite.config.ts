/**
 * The console's build: Preact pages, bundled by Vite into console/dist, which the local server and
 * the stack's bucket serve beside the API (same origin, so no CORS and one CSP).
 */
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  publicDir: false,
  // production JSX whatever NODE_ENV says: the tests build it with NODE_ENV=test, which would
  // otherwise compile every element with its source file and line (jsxDEV), half again the size
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact', development: false } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // one small bundle: no source maps shipped, no inline scripts (the CSP allows none)
    sourcemap: false,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  logLevel: 'warn',
});
