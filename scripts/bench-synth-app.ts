// One measured synthesis for scripts/bench-synth.ts: an app with N
// LoggingSidecarPods (distinct names) in one chart, synthesized to a scratch
// directory, optionally validated. Prints one JSON line of figures.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { LoggingSidecarPod } from '../lib';

const pods = Number(process.argv[2]);
const validate = process.argv[3] === 'validate';
if (!Number.isInteger(pods) || pods < 1) {
  throw new Error(`usage: bench-synth-app.ts <pods> [validate], got ${JSON.stringify(process.argv.slice(2))}`);
}

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
try {
  const start = process.hrtime.bigint();
  const app = new App({ outdir });
  const chart = new Chart(app, 'scale');
  for (let i = 0; i < pods; i++) {
    new LoggingSidecarPod(chart, `Pod${i}`, { podName: `web-${i}` });
  }
  const constructed = process.hrtime.bigint();
  app.synth();
  const synthesized = process.hrtime.bigint();
  let violations = 0;
  if (validate) {
    // The objects synth wrote, as the cdk8s synth plugin gets them (less YAML parsing).
    const { validateManifests } = require('../validation');
    violations = validateManifests(chart.toJson()).length;
  }
  const validated = process.hrtime.bigint();
  const ms = (from: bigint, to: bigint) => Number(to - from) / 1e6;
  console.log(JSON.stringify({
    pods,
    validate,
    constructMs: ms(start, constructed),
    synthMs: ms(constructed, synthesized),
    validateMs: ms(synthesized, validated),
    totalMs: ms(start, validated),
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    violations,
  }));
} finally {
  fs.rmSync(outdir, { recursive: true, force: true });
}
