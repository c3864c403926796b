import { App, Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { synthExamples } from './examples';
import { LoggingSidecarPod } from './lib';

/** The seed's `webserver` Pod: nginx and a log-reading sidecar over a shared emptyDir. */
export class WebserverChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);

    new LoggingSidecarPod(this, 'webserver');
  }
}

// Only synthesize when run as the app (`cdk8s synth`), not when a test imports the chart.
if (require.main === module) {
  const app = new App();
  new WebserverChart(app, 'webserver');
  app.synth();
  // The examples go to dist/examples/, beside the main manifest, in the same run.
  synthExamples(app.outdir);
}
