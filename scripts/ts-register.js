// Lets plain `node` load this project's TypeScript: `node -r ./scripts/ts-register.js main.ts`.
//
// The app command in cdk8s.yaml and the validation plugin (validation/plugin.js)
// use it so that `cdk8s synth` runs the sources as they are now (no stale
// build/) without paying for a compiler on every run:
// each file is transpiled once with TypeScript's transpileModule and cached
// under node_modules/.cache, keyed by its path, its content and the compiler's
// version, so an edit always misses the cache. Type errors are not reported
// here; `npm run compile` reports them, and CI runs it.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const path = require('path');

const root = path.resolve(__dirname, '..');
const cacheDir = path.join(root, 'node_modules', '.cache', 'ts-register');
const typescriptVersion = JSON.parse(
  fs.readFileSync(require.resolve('typescript/package.json', { paths: [root] }), 'utf8'),
).version;

// The emit options of tsconfig.json that change the JavaScript produced.
const compilerOptions = {
  module: 'CommonJS',
  target: 'ES2022',
  inlineSourceMap: true,
  inlineSources: true,
  experimentalDecorators: true,
  isolatedModules: true,
};
const cacheSalt = JSON.stringify({ typescriptVersion, compilerOptions, hook: 1 });

let typescript; // loaded on the first cache miss only: it is the slow part

function transpile(source, filename) {
  typescript = typescript ?? require(require.resolve('typescript', { paths: [root] }));
  const { options } = typescript.convertCompilerOptionsFromJson(compilerOptions, root);
  return typescript.transpileModule(source, { compilerOptions: options, fileName: filename }).outputText;
}

function load(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const key = crypto.createHash('sha256').update(cacheSalt).update('\0').update(filename).update('\0').update(source)
    .digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  let javascript;
  try {
    javascript = fs.readFileSync(cached, 'utf8');
  } catch {
    javascript = transpile(source, filename);
    try {
      // Write then rename, so a concurrent run never reads half a file.
      fs.mkdirSync(cacheDir, { recursive: true });
      const partial = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(partial, javascript);
      fs.renameSync(partial, cached);
    } catch {
      // An unwritable cache only costs speed: the next run transpiles again.
    }
  }
  module._compile(javascript, filename);
}

Module._extensions['.ts'] = load;
