#!/usr/bin/env node
// `cdk8s synth` for this project, without the CLI's start-up cost.
//
// cdk8s-cli loads every one of its commands (init and import pull in jsii
// tooling) before it starts synthesizing: about 0.8 s on a 2-core machine,
// more than the synthesis itself. This calls the same functions its synth
// command does (synthApp, then validateApp with the validations of cdk8s.yaml),
// so the output, the validation reports and the exit codes are the CLI's.
// Plain-manifest synthesis into cdk8s.yaml's output directory only; for Helm
// output or other flags, `npx cdk8s synth` is the full CLI.
'use strict';
const fs = require('fs');
const path = require('path');

const USAGE = 'usage: node scripts/synth.js [--no-validate]';
const args = process.argv.slice(2);
for (const arg of args) {
  if (arg !== '--no-validate') {
    console.error(`synth: unknown argument ${JSON.stringify(arg)}\n${USAGE} (use "npx cdk8s synth" for the full CLI)`);
    process.exit(64);
  }
}
const validate = !args.includes('--no-validate');

// cdk8s-cli's package exports hide its modules; reach them by file path.
const cliRoot = path.dirname(require.resolve('cdk8s-cli/package.json'));
const cli = (...parts) => require(path.join(cliRoot, 'lib', ...parts));

async function main() {
  const { readConfigSync } = cli('config');
  const { synthApp, validateApp } = cli('util');

  const config = readConfigSync();
  if (!config?.app) {
    throw new Error('cdk8s.yaml must name the app command ("app:")');
  }
  if (typeof config.validations === 'string') {
    throw new Error('cdk8s.yaml names its validations by URL; use "npx cdk8s synth", which downloads them');
  }
  if (config.synthConfig?.format && config.synthConfig.format !== 'plain') {
    throw new Error(`cdk8s.yaml asks for ${JSON.stringify(config.synthConfig.format)} output; use "npx cdk8s synth", which writes it`);
  }
  const outdir = config.output ?? 'dist';
  const validations = validate ? (config.validations ?? []) : [];

  fs.rmSync(outdir, { recursive: true, force: true });
  // synthApp starts the app at once; the validators load on the other core meanwhile.
  const synthesized = synthApp(config.app, outdir, false, validations.length > 0);
  try {
    if (validations.length > 0) {
      preloadValidations(validations);
    }
  } finally {
    // Even when a plugin fails to load, the app finishes before the error is reported.
    await synthesized.catch(() => undefined);
  }
  const app = await synthesized;
  if (validations.length > 0) {
    const { PluginManager } = cli('plugins', '_manager');
    const pluginsDir = config.pluginsDirectory ?? path.join(require('os').homedir(), '.cdk8s', 'plugins');
    await validateApp(app, false, validations, new PluginManager(pluginsDir));
  }
}

/** Requires cdk8s-cli's validation code and every local plugin, calling a plugin's `preload()` if it has one. */
function preloadValidations(validations) {
  cli('plugins', '_manager');
  cli('plugins', 'validation');
  for (const validation of validations) {
    if (typeof validation.package === 'string' && validation.package.startsWith('.')) {
      const plugin = require(path.resolve(validation.package));
      if (typeof plugin.preload === 'function') {
        plugin.preload();
      }
    }
  }
}

main().catch((error) => {
  console.error(error.message ?? error);
  process.exit(1);
});
