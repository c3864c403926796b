import * as path from 'path';
import { App } from 'cdk8s';
import { ElasticsearchChart } from './elasticsearch';
import { FluentBitLokiChart } from './fluent-bit-loki';
import { HardenedStreamingChart } from './hardened-streaming';
import { LokiTlsChart } from './loki-tls';
import { ReplicatedChart } from './replicated';
import { SplunkChart } from './splunk';

export { ElasticsearchChart, FluentBitLokiChart, HardenedStreamingChart, LokiTlsChart, ReplicatedChart, SplunkChart };

/** Synthesizes every example into `<outdir>/examples/<name>.k8s.yaml`. */
export function synthExamples(outdir: string): void {
  const app = new App({ outdir: path.join(outdir, 'examples') });
  new HardenedStreamingChart(app, 'hardened-streaming');
  new FluentBitLokiChart(app, 'fluent-bit-loki');
  new LokiTlsChart(app, 'loki-tls');
  new ElasticsearchChart(app, 'elasticsearch');
  new SplunkChart(app, 'splunk');
  new ReplicatedChart(app, 'replicated');
  app.synth();
}
