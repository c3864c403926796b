import { Chart, Cron, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { LoggingSidecar, LogReopen, LogShipper } from '../lib';
import { restrictedViolations } from './pod-security-standards';

/** A web container as the official nginx image needs it. */
const NGINX: kplus.ContainerProps = {
  name: 'web',
  image: 'nginx:1.27',
  portNumber: 80,
  securityContext: { ensureNonRoot: false, readOnlyRootFilesystem: false },
};

function podSpecOf(manifest: any): any {
  return manifest.kind === 'Pod' ? manifest.spec
    : manifest.kind === 'CronJob' ? manifest.spec.jobTemplate.spec.template.spec
      : manifest.spec.template.spec;
}

describe('LoggingSidecar on any workload', () => {
  const workloads: Array<[string, (chart: Chart) => kplus.AbstractPod]> = [
    ['Deployment', chart => new kplus.Deployment(chart, 'Web', { replicas: 3, containers: [NGINX] })],
    ['StatefulSet', chart => new kplus.StatefulSet(chart, 'Web', {
      containers: [NGINX], service: new kplus.Service(chart, 'Svc', { ports: [{ port: 80 }] }),
    })],
    ['DaemonSet', chart => new kplus.DaemonSet(chart, 'Web', { containers: [NGINX] })],
    ['Job', chart => new kplus.Job(chart, 'Web', { containers: [NGINX] })],
    ['CronJob', chart => new kplus.CronJob(chart, 'Web', { containers: [NGINX], schedule: Cron.daily() })],
  ];

  test.each(workloads)('a %s gets the shared volume, both mounts and the sidecar in its pod template', (kind, create) => {
    // GIVEN a workload of the user's own
    const chart = Testing.chart();
    const workload = create(chart);

    // WHEN the sidecar is added to it (native for jobs, which must be able to complete)
    const nativeSidecar = kind === 'Job' || kind === 'CronJob';
    new LoggingSidecar(chart, 'Logs', {
      workload, logWriter: workload.containers[0], shipper: LogShipper.stream(), volumeSizeLimit: Size.mebibytes(200), nativeSidecar,
    });

    // THEN its pod template has the shared volume, both mounts and the process namespace shared for rotation
    const manifest = Testing.synth(chart).find(m => m.kind === kind);
    const spec = podSpecOf(manifest);
    const all = [...(spec.initContainers ?? []), ...spec.containers];
    expect(all.map((c: any) => c.name).sort()).toEqual(['sidecar-container', 'web']);
    expect(spec.volumes).toEqual([{ name: 'shared-logs', emptyDir: { sizeLimit: '200Mi' } }]);
    const sidecar = all.find((c: any) => c.name === 'sidecar-container');
    expect(all.find((c: any) => c.name === 'web').volumeMounts).toEqual([{ name: 'shared-logs', mountPath: '/var/log/nginx' }]);
    expect(sidecar.volumeMounts).toEqual([
      { name: 'shared-logs', mountPath: '/var/log/nginx' },
      { name: 'shared-logs', mountPath: '/var/lib/logging-sidecar', subPath: '.logging-sidecar-state' },
    ]);
    expect(spec.shareProcessNamespace).toBe(true);
    expect(sidecar.command.slice(0, 2)).toEqual(['perl', '-e']);
    expect(sidecar.restartPolicy).toBe(nativeSidecar ? 'Always' : undefined);
  });

  test('a Deployment keeps its replicas and the sidecar runs as root beside nginx', () => {
    const chart = Testing.chart();
    const deployment = new kplus.Deployment(chart, 'Web', { replicas: 3, containers: [NGINX] });
    const sidecar = new LoggingSidecar(chart, 'Logs', { workload: deployment, logWriter: deployment.containers[0] });
    const manifest = Testing.synth(chart).find(m => m.kind === 'Deployment');
    expect(manifest.spec.replicas).toBe(3);
    expect(sidecar.container.securityContext.ensureNonRoot).toBe(false);
    expect(manifest.spec.template.spec.containers[1].command[2])
      .toBe('while true; do cat /var/log/nginx/access.log /var/log/nginx/error.log; sleep 30; done');
  });

  test('hardened, on a hardened Deployment, the whole pod meets the restricted level', () => {
    const chart = Testing.chart();
    const deployment = new kplus.Deployment(chart, 'Web', {
      securityContext: { ensureNonRoot: true, user: 101, group: 101 },
      containers: [{
        name: 'web', image: 'nginxinc/nginx-unprivileged:1.27.4', portNumber: 8080,
        securityContext: {
          user: 101, group: 101, capabilities: { drop: [kplus.Capability.ALL] },
          seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
        },
        volumeMounts: [{ path: '/tmp', volume: kplus.Volume.fromEmptyDir(chart, 'Tmp', 'tmp') }],
      }],
    });
    new LoggingSidecar(chart, 'Logs', { workload: deployment, logWriter: deployment.containers[0], hardened: true, shipper: LogShipper.stream() });
    const manifest = Testing.synth(chart).find(m => m.kind === 'Deployment');
    expect(restrictedViolations(manifest.spec.template.spec)).toEqual([]);
  });

  test('exposes its container, volume, shipper and resolved props', () => {
    const chart = Testing.chart();
    const deployment = new kplus.Deployment(chart, 'Web', { containers: [NGINX] });
    const sidecar = new LoggingSidecar(chart, 'Logs', {
      workload: deployment, logWriter: deployment.containers[0], logDirectory: '/var/log/web', logFiles: ['access.log'],
    });
    expect(deployment.containers).toContain(sidecar.container);
    expect(deployment.volumes).toEqual([sidecar.logVolume]);
    expect(sidecar.shipper.displayName).toBe('LogShipper.catLoop()');
    expect(sidecar.logDirectory).toBe('/var/log/web');
    expect(sidecar.logFiles).toEqual(['access.log']);
  });

  test.each([
    ['a container that is not the workload\'s', (chart: Chart, d: kplus.Deployment) => ({
      workload: d, logWriter: new kplus.Deployment(chart, 'Other', { containers: [NGINX] }).containers[0],
    }), 'logWriter must be a container of the workload, got container "web"'],
    ['a container name the workload already uses', (_: Chart, d: kplus.Deployment) => ({
      workload: d, logWriter: d.containers[0], containerName: 'web',
    }), 'containerName must differ from the workload\'s container names ["web"], got "web"'],
    ['a volume name the pod already uses', (_: Chart, d: kplus.Deployment) => ({
      workload: d, logWriter: d.containers[0], volumeName: 'log-shipper-config',
    }), 'volumeName must differ from the pod\'s other volume names ["log-shipper-config","log-shipper-state"], got "log-shipper-config"'],
    ['runAsUser without hardened', (_: Chart, d: kplus.Deployment) => ({
      workload: d, logWriter: d.containers[0], runAsUser: 1000,
    }), 'runAsUser applies only with hardened: true, got runAsUser 1000'],
    ['a volume name a container already mounts', (chart: Chart, d: kplus.Deployment) => {
      d.containers[0].mount('/cache', kplus.Volume.fromEmptyDir(chart, 'Cache', 'shared-logs'));
      return { workload: d, logWriter: d.containers[0] };
    }, 'volumeName must differ from the pod\'s other volume names ["shared-logs","log-shipper-config","log-shipper-state"], got "shared-logs"'],
    ['a logDirectory the writer already mounts', (chart: Chart, d: kplus.Deployment) => {
      d.containers[0].mount('/var/log/nginx', kplus.Volume.fromEmptyDir(chart, 'Logs2', 'other-logs'));
      return { workload: d, logWriter: d.containers[0] };
    }, 'logDirectory must differ from the paths already mounted in logWriter ["/var/log/nginx"], got "/var/log/nginx"'],
    ['a logDirectory where Fluent Bit keeps its state', (_: Chart, d: kplus.Deployment) => ({
      workload: d, logWriter: d.containers[0], shipper: LogShipper.fluentBit(), logDirectory: '/var/lib/logging-sidecar',
    }), 'logDirectory must differ from the paths the shipper mounts ["/var/lib/logging-sidecar","/fluent-bit/etc/logging-sidecar"], got "/var/lib/logging-sidecar"'],
    ['Fluent Bit on a port the web server uses', (chart: Chart) => {
      const d = new kplus.Deployment(chart, 'Web2', { containers: [{ ...NGINX, portNumber: 2020 }] });
      return { workload: d, logWriter: d.containers[0], shipper: LogShipper.fluentBit() };
    }, 'LogShipper.fluentBit() listens on port 2020, which container "web" already declares; the containers of a pod share one network namespace'],
    ['a regular sidecar on a Job', (chart: Chart) => {
      const job = new kplus.Job(chart, 'Batch', { containers: [NGINX] });
      return { workload: job, logWriter: job.containers[0], shipper: LogShipper.stream() };
    }, 'nativeSidecar must be true on a Job or CronJob: a regular sidecar never exits, so the job would never complete, got nativeSidecar false'],
    ['runAsUser root', (_: Chart, d: kplus.Deployment) => ({
      workload: d, logWriter: d.containers[0], hardened: true, runAsUser: 0,
    }), 'runAsUser must be a non-root user id from 1 to 2147483647, got 0'],
    ['rotation for a writer that is not nginx, without reopenLogs', (chart: Chart) => {
      const d = new kplus.Deployment(chart, 'Busy', { containers: [{ name: 'busy', image: 'busybox:1.36', securityContext: { ensureNonRoot: false } }] });
      return { workload: d, logWriter: d.containers[0], shipper: LogShipper.stream(), volumeSizeLimit: Size.mebibytes(200) };
    }, 'volumeSizeLimit rotates the logs, so the writer must be told to reopen them, and only nginx images are known '
      + '(SIGUSR1 to "nginx: master process"), got logWriter "busy" with image "busybox:1.36": pass reopenLogs'],
    ['reopenLogs without rotation', (_: Chart, d: kplus.Deployment) => ({
      workload: d, logWriter: d.containers[0], shipper: LogShipper.stream(), reopenLogs: LogReopen.nginx(),
    }), 'reopenLogs applies only when the sidecar rotates logs (with rotateLogsAt or volumeSizeLimit), got LogReopen.nginx()'],
  ] as Array<[string, (chart: Chart, d: kplus.Deployment) => any, string]>)('fails on %s', (_, props, message) => {
    const chart = Testing.chart();
    const deployment = new kplus.Deployment(chart, 'Web', { containers: [NGINX] });
    expect(() => new LoggingSidecar(chart, 'Logs', props(chart, deployment))).toThrow(message);
  });
});

describe('bad numbers, sizes and types', () => {
  test.each([
    ['props that are null', () => null, 'LoggingSidecar props must be an object, got null'],
    ['an empty object as workload', (_: Chart, d: kplus.Deployment) => ({ workload: {}, logWriter: d.containers[0] }),
      'workload must be a cdk8s-plus workload (a Pod, Deployment, StatefulSet, DaemonSet, Job or CronJob), got {}'],
    ['no logWriter', (_: Chart, d: kplus.Deployment) => ({ workload: d }),
      'logWriter must be a cdk8s-plus Container (such as deployment.containers[0]), got undefined'],
    ['a container name as logWriter', (_: Chart, d: kplus.Deployment) => ({ workload: d, logWriter: 'web' }),
      'logWriter must be a cdk8s-plus Container (such as deployment.containers[0]), got "web"'],
    ['a string as runAsUser', (_: Chart, d: kplus.Deployment) => ({ workload: d, logWriter: d.containers[0], hardened: true, runAsUser: '101' }),
      'runAsUser must be a number, got "101"'],
    ['a runAsUser that is NaN', (_: Chart, d: kplus.Deployment) => ({ workload: d, logWriter: d.containers[0], hardened: true, runAsUser: NaN }),
      'runAsUser must be a non-root user id from 1 to 2147483647, got NaN'],
    ['a runAsUser above the API server\'s user ids', (_: Chart, d: kplus.Deployment) => ({ workload: d, logWriter: d.containers[0], hardened: true, runAsUser: 2 ** 31 }),
      'runAsUser must be a non-root user id from 1 to 2147483647, got 2147483648'],
    ['ephemeral storage that is not whole gibibytes', (_: Chart, d: kplus.Deployment) => ({
      workload: d, logWriter: d.containers[0], resources: { ephemeralStorage: { limit: Size.mebibytes(512) } },
    }), 'resources.ephemeralStorage.limit must be a whole number of gibibytes from 1 to 8589934591, got 524288Ki'],
    ['an ephemeral storage request above its limit', (_: Chart, d: kplus.Deployment) => ({
      workload: d, logWriter: d.containers[0], resources: { ephemeralStorage: { request: Size.gibibytes(2), limit: Size.gibibytes(1) } },
    }), 'resources.ephemeralStorage.request must not exceed resources.ephemeralStorage.limit, got 2Gi > 1Gi'],
    ['a volumeSizeLimit past what Kubernetes keeps', (_: Chart, d: kplus.Deployment) => ({
      workload: d, logWriter: d.containers[0], shipper: LogShipper.stream(), volumeSizeLimit: Size.tebibytes(2 ** 30),
    }), 'volumeSizeLimit must be a whole number of mebibytes from 1 to 8796093022207, got 1125899906842624Mi'],
    ['a rotateLogsAt that is Infinity', (_: Chart, d: kplus.Deployment) => ({
      workload: d, logWriter: d.containers[0], shipper: LogShipper.stream(), rotateLogsAt: Size.mebibytes(Infinity),
    }), 'rotateLogsAt must be a finite size, got InfinityMi'],
    ['a string as nativeSidecar', (_: Chart, d: kplus.Deployment) => ({ workload: d, logWriter: d.containers[0], nativeSidecar: 'true' }),
      'nativeSidecar must be true or false, got "true"'],
    ['a signal name as reopenLogs', (_: Chart, d: kplus.Deployment) => ({
      workload: d, logWriter: d.containers[0], shipper: LogShipper.stream(), rotateLogsAt: Size.mebibytes(8), reopenLogs: 'HUP',
    }), 'reopenLogs must be made with a LogReopen method such as LogReopen.signal(), got "HUP"'],
  ] as Array<[string, (chart: Chart, d: kplus.Deployment) => any, string]>)('fails on %s', (_, props, message) => {
    const chart = Testing.chart();
    const deployment = new kplus.Deployment(chart, 'Web', { containers: [NGINX] });
    expect(() => new LoggingSidecar(chart, 'Logs', props(chart, deployment))).toThrow(message);
  });
});
