// A chart of another project that depends on this package by name, as
// scripts/check-package.sh installs it from the packed tarball.
import { App, Chart, Duration } from 'cdk8s';
import { LoggingSidecarPod, LogShipper } from 'cdk8s-logging-sidecar';

const app = new App({ outdir: process.argv[2] });
const chart = new Chart(app, 'shop');
new LoggingSidecarPod(chart, 'Frontend', { podName: 'frontend', shipper: LogShipper.stream() });
new LoggingSidecarPod(chart, 'Admin', { podName: 'admin', readInterval: Duration.seconds(5) });
app.synth();
