// The path cdk8s.yaml names under `validations:`. cdk8s-cli requires a local
// plugin by its path, as JavaScript; the plugin is TypeScript
// (manifest-validation.ts), loaded through the project's transpile-once hook,
// as the app command of cdk8s.yaml loads main.ts, so no build step is needed.
'use strict';
require('../scripts/ts-register.js');
module.exports = require('./manifest-validation.ts');
