#!/usr/bin/env node
// `cdk8s import`, offline: the Kubernetes API schema that cdk8s-cli would
// download is read from imports/schema/k8s-v<version>.json instead, so the
// generated imports/k8s.ts depends only on files in this repository.
// Arguments are passed on to `cdk8s import` (default: the imports in cdk8s.yaml).
const fs = require('fs');
const path = require('path');

// cdk8s-cli's package exports hide its modules; reach them by file path.
const cliRoot = path.dirname(require.resolve('cdk8s-cli/package.json'));
const util = require(path.join(cliRoot, 'lib', 'util'));

const SCHEMA_URL = /\/kubernetes-schemas\/v(\d+\.\d+\.\d+)\/_definitions\.json$/;
const schemaDir = path.join(__dirname, '..', 'imports', 'schema');
const download = util.download;

util.download = async (url) => {
  const match = SCHEMA_URL.exec(url);
  if (match) {
    const file = path.join(schemaDir, `k8s-v${match[1]}.json`);
    if (!fs.existsSync(file)) {
      throw new Error(`no local schema for Kubernetes ${match[1]}: expected ${file}`);
    }
    return fs.readFileSync(file, 'utf8');
  }
  return download(url);
};

process.argv.splice(2, 0, 'import', '--no-check-upgrade');
require(path.join(cliRoot, 'lib', 'cli'));
