import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { FluentBitLokiChart } from '../examples/fluent-bit-loki';
import { LoggingSidecar, LoggingSidecarPod, LoggingSidecarPodProps, LogShipper } from '../lib';
import { toDot, wrap } from '../scripts/diagram/dot';
import { KubeObject, readManifest } from '../scripts/diagram/manifest';
import { PodGraph } from '../scripts/diagram/model';
import { diagramFiles } from '../scripts/diagram/names';
import { podGraphs } from '../scripts/diagram/pod-graph';

const ROOT = path.join(__dirname, '..');

/** The graphs of a LoggingSidecarPod's manifest, as cdk8s synthesizes it. */
function graphsOf(props: LoggingSidecarPodProps = {}): PodGraph[] {
  const chart = Testing.chart();
  new LoggingSidecarPod(chart, 'webserver', props);
  return podGraphs(Testing.synth(chart) as KubeObject[], 'test');
}

const mountsOf = (graph: PodGraph, container: string) => graph.mounts.filter(mount => mount.container === container);

describe('the model of a synthesized pod', () => {
  test('the seed pod: nginx and the sidecar share shared-logs at /var/log/nginx, and the sidecar prints to its stdout', () => {
    const [graph] = graphsOf();

    expect(graph.kind).toBe('Pod');
    expect(graph.name).toBe('webserver');
    expect(graph.containers.map(container => [container.name, container.image, container.role, container.ships])).toEqual([
      ['nginx-container', 'nginx:latest', 'container', false],
      ['sidecar-container', 'ubuntu:latest', 'container', true],
    ]);
    expect(graph.containers[1].does).toBe('cat loop: prints access.log, error.log whole every 30 s');
    expect(graph.volumes).toEqual([{ name: 'shared-logs', type: 'emptyDir' }]);
    expect(graph.mounts).toEqual([
      { volume: 'shared-logs', container: 'nginx-container', mountPath: '/var/log/nginx', readOnly: false },
      { volume: 'shared-logs', container: 'sidecar-container', mountPath: '/var/log/nginx', readOnly: false },
    ]);
    expect(graph.destinations).toEqual([{
      id: 'sidecar-container/0', from: 'sidecar-container', via: 'stdout', title: 'stdout',
      details: ['kubectl logs webserver', '-c sidecar-container'],
    }]);
  });

  test('the committed dist/webserver.k8s.yaml is drawn as webserver.svg', () => {
    const source = 'dist/webserver.k8s.yaml';
    const graphs = podGraphs(readManifest(fs.readFileSync(path.join(ROOT, source), 'utf8'), source), source);

    const files = diagramFiles([{ source, graphs }]);
    expect([...files.keys()]).toEqual(['webserver.svg']);
    expect(files.get('webserver.svg')!.containers.map(container => container.name)).toEqual(['nginx-container', 'sidecar-container']);
  });

  test('a hardened pod mounts the log volume read-only in the sidecar', () => {
    const [graph] = graphsOf({ hardened: true });

    expect(mountsOf(graph, 'sidecar-container')).toEqual([
      { volume: 'shared-logs', container: 'sidecar-container', mountPath: '/var/log/nginx', readOnly: true },
    ]);
    expect(mountsOf(graph, 'nginx-container').map(mount => mount.readOnly)).toEqual([false]);
    // nginx-tmp is nginx's alone: not drawn.
    expect(graph.volumes.map(volume => volume.name)).toEqual(['shared-logs']);
    expect(toDot(graph)).toContain('"volume:shared-logs" -> "container:sidecar-container" [label="/var/log/nginx (ro)"];');
  });

  test('a Fluent Bit pod sends to the Loki host its ConfigMap names, and to its stdout', () => {
    const manifests = Testing.synth(new FluentBitLokiChart(Testing.app(), 'fluent-bit-loki')) as KubeObject[];
    const [graph] = podGraphs(manifests, 'fluent-bit-loki.k8s.yaml');

    expect(graph.destinations).toEqual([
      { id: 'sidecar-container/0', from: 'sidecar-container', via: 'loki', title: 'Grafana Loki', details: ['loki-gateway.monitoring.svc.cluster.local:80'] },
      { id: 'sidecar-container/1', from: 'sidecar-container', via: 'stdout', title: 'stdout', details: ['kubectl logs webserver-fluent-bit', '-c sidecar-container'] },
    ]);
    const sidecar = graph.containers.find(container => container.name === 'sidecar-container');
    expect(sidecar).toMatchObject({ image: 'cr.fluentbit.io/fluent/fluent-bit:3.2.10', does: 'Fluent Bit: tails access.log, error.log', ships: true });
    expect(graph.containers.find(container => container.name === 'sidecar-container-state-keeper'))
      .toMatchObject({ does: 'keeps Fluent Bit\'s position databases usable', ships: false });
    expect(graph.volumes).toEqual([
      { name: 'shared-logs', type: 'emptyDir' },
      { name: 'log-shipper-state', type: 'emptyDir', sizeLimit: '64Mi' },
    ]);
    expect(mountsOf(graph, 'sidecar-container').find(mount => mount.volume === 'shared-logs')?.readOnly).toBe(true);
  });

  test('a native sidecar is marked as one, and the size limit of the log volume is kept', () => {
    const [graph] = graphsOf({ nativeSidecar: true, shipper: LogShipper.stream(), volumeSizeLimit: Size.mebibytes(128) });

    expect(graph.containers.map(container => [container.name, container.role])).toEqual([
      ['sidecar-container', 'native sidecar'],
      ['nginx-container', 'container'],
    ]);
    expect(graph.containers[0].does).toBe('stream: prints each line of access.log, error.log once');
    expect(graph.volumes).toEqual([{ name: 'shared-logs', type: 'emptyDir', sizeLimit: '128Mi' }]);
    expect(toDot(graph)).toMatch(/"container:sidecar-container" \[[^\n]*style="filled,dashed"[^\n]*<i>native sidecar<\/i>/);
  });

  test('a Deployment is drawn from its pod template, its logs read through the Deployment', () => {
    const chart = Testing.chart();
    const deployment = new kplus.Deployment(chart, 'web', {
      containers: [{ name: 'web', image: 'nginx:1.27', securityContext: { ensureNonRoot: false } }],
    });
    new LoggingSidecar(chart, 'logs', { workload: deployment, logWriter: deployment.containers[0], shipper: LogShipper.stream() });
    const graphs = podGraphs(Testing.synth(chart) as KubeObject[], 'test');

    expect(graphs.map(graph => graph.kind)).toEqual(['Deployment']);
    expect(graphs[0].containers.map(container => container.name)).toEqual(['web', 'sidecar-container']);
    expect(graphs[0].destinations[0].details[0]).toBe(`kubectl logs deployment/${deployment.name}`);
  });
});

describe('manifests it cannot draw', () => {
  const pod = (spec: object) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec: ${JSON.stringify(spec)}\n`;
  const graphs = (yaml: string) => podGraphs(readManifest(yaml, 'bad.k8s.yaml'), 'bad.k8s.yaml');

  test('fails on a document that is not a Kubernetes object', () => {
    expect(() => graphs('hello: world\n')).toThrow(
      'bad.k8s.yaml: document 1 must be a Kubernetes object with apiVersion, kind and metadata, got {"hello":"world"}');
  });

  test('fails on text that is not YAML', () => {
    expect(() => graphs('kind: Pod\n  name: [web\n')).toThrow(/^bad\.k8s\.yaml: document 1 must be valid YAML, the parser says: /);
  });

  test('fails on a pod without containers', () => {
    expect(() => graphs(pod({ volumes: [] }))).toThrow('bad.k8s.yaml: Pod "web" must have a non-empty spec.containers list, got none');
  });

  test('fails on a mount of a volume the pod does not have', () => {
    const spec = { containers: [{ name: 'web', image: 'nginx', volumeMounts: [{ name: 'logs', mountPath: '/var/log' }] }], volumes: [{ name: 'tmp', emptyDir: {} }] };
    expect(() => graphs(pod(spec))).toThrow('bad.k8s.yaml: Pod "web" container "web" mounts volume "logs", which must be in spec.volumes, got "tmp"');
  });

  test('fails on a Fluent Bit configuration without pipeline.outputs', () => {
    const spec = {
      containers: [{ name: 'fluent-bit', image: 'fluent-bit', volumeMounts: [{ name: 'config', mountPath: '/etc/fluent-bit' }] }],
      volumes: [{ name: 'config', configMap: { name: 'config' } }],
    };
    const configMap = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config\ndata:\n  fluent-bit.yaml: "pipeline: {}"\n';
    expect(() => graphs(`${pod(spec)}---\n${configMap}`)).toThrow(
      'bad.k8s.yaml: Pod "web" ConfigMap "config" fluent-bit.yaml must have a pipeline.outputs list, got none');
  });

  test('fails when two pods would be drawn into one file', () => {
    const [web] = graphs(pod({ containers: [{ name: 'web', image: 'nginx' }] }));
    expect(() => diagramFiles([{ source: 'dist/web.k8s.yaml', graphs: [web] }, { source: 'dist/examples/web.k8s.yaml', graphs: [web] }]))
      .toThrow('dist/examples/web.k8s.yaml: Pod "web" would be drawn as web.svg, which must be unique, got Pod "web" of bad.k8s.yaml there too');
  });

  test('draws nothing for a manifest without pods, and each pod of a manifest with two by its name', () => {
    expect(graphs('apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n')).toEqual([]);
    const two = graphs(`${pod({ containers: [{ name: 'a', image: 'nginx' }] })}---\n${pod({ containers: [{ name: 'b', image: 'nginx' }] }).replace('name: web', 'name: api')}`);
    expect([...diagramFiles([{ source: 'dist/two.k8s.yaml', graphs: two }]).keys()]).toEqual(['two-web.svg', 'two-api.svg']);
  });
});

describe('drawing', () => {
  test('lays the pod out left to right: containers as boxes, shared volumes as cylinders, destinations outside the pod', () => {
    const dot = toDot(graphsOf()[0]);
    const [pod, outside] = dot.split('\n  }\n');

    expect(dot).toContain('rankdir="LR"');
    expect(pod).toMatch(/"container:nginx-container" \[shape="box"/);
    expect(pod).toMatch(/"volume:shared-logs" \[shape="cylinder"/);
    expect(outside).toMatch(/"destination:sidecar-container\/0" \[shape="note"/);
    expect(outside).toContain('"container:sidecar-container" -> "destination:sidecar-container/0"');
  });

  test('wraps a long host name after a dot and a long image after a slash', () => {
    expect(wrap('elasticsearch-es-http.logging.svc.cluster.local:9200')).toEqual(['elasticsearch-es-http.', 'logging.svc.cluster.', 'local:9200']);
    expect(wrap('nginxinc/nginx-unprivileged:1.27.4')).toEqual(['nginxinc/', 'nginx-unprivileged:1.27.4']);
  });

  test('renders the seed as the same SVG every time', () => {
    // Graphviz's WebAssembly build is an ES module, which Jest's CommonJS loader cannot load: render in Node.
    const render = `const { toSvg } = require('./scripts/diagram/svg.ts');
      let dot = ''; process.stdin.on('data', d => dot += d).on('end', async () => {
        const [first, second] = [await toSvg(dot), await toSvg(dot)];
        process.stdout.write(first === second ? first : 'renders differ');
      });`;
    const svg = execFileSync(process.execPath, ['-r', './scripts/ts-register.js', '-e', render], { cwd: ROOT, input: toDot(graphsOf()[0]), encoding: 'utf8' });

    expect(svg).toMatch(/^<\?xml[\s\S]*<svg width="\d+pt" height="\d+pt"/);
    expect(svg).toContain('<title>container:nginx&#45;container</title>');
    expect(svg).toContain('<title>volume:shared&#45;logs</title>');
    expect(svg).toContain('>kubectl logs webserver</text>');
  });
});
