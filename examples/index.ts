import * as path from 'path';
import { App } from 'cdk8s';
import { FluentBitLokiChart } from './fluent-bit-loki';
import { HardenedStreamingChart } from './hardened-streaming';

export { FluentBitLokiChart, HardenedStreamingChart };

/** Synthesizes every example into `<outdir>/examples/<name>.k8s.yaml`. */
export function synthExamples(outdir: string): void {
  const app = new App({ outdir: path.join(outdir, 'examples') });
  new HardenedStreamingChart(app, 'hardened-streaming');
  new FluentBitLokiChart(app, 'fluent-bit-loki');
  app.synth();
}
