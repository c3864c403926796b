// The string and number props of the constructs and of LogShipper's
// factories, each on a baseline the construct accepts.
import { Chart, Cron, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { FluentBitParser, LoggingSidecar, LoggingSidecarDeployment, LoggingSidecarPod, LoggingSidecarPodProps, LoggingSidecarProps, LogReopen, LogShipper } from '../lib';
import { asciiLike, dnsLike, imageLike, pathLike } from './edge-value-arbitraries';
import { AS_IS, CPUS, DURATIONS, GIBIBYTES, KIBIBYTES, MEBIBYTES, numberProp, ports, PropGroup, SECONDS, SIZES, stringProp, whole } from './prop-targets';

/** Numbers the checks accept: user ids, whole seconds, mebibytes, gibibytes and kibibytes. */
const userIds = () => fc.integer({ min: 1, max: 2 ** 31 - 1 });
const seconds = whole(SECONDS, 3600);
const wholeMebibytes = whole(MEBIBYTES, 100_000);
const wholeGibibytes = whole(GIBIBYTES, 1000);
const wholeKibibytes = whole(KIBIBYTES, 10_000_000);

/** A log file name, or one made of special pieces. */
const fileLike = fc.oneof(dnsLike, dnsLike.map(name => `${name}.log`), asciiLike);

const pod = (props: LoggingSidecarPodProps) => (chart: Chart) => new LoggingSidecarPod(chart, 'pod', props);

const podGroup: PropGroup = {
  name: 'LoggingSidecarPod',
  targets: [
    stringProp('podName', dnsLike, (chart, podName) => pod({ podName })(chart)),
    stringProp('webContainerName', dnsLike, (chart, webContainerName) => pod({ webContainerName })(chart)),
    stringProp('sidecarContainerName', dnsLike, (chart, sidecarContainerName) => pod({ sidecarContainerName })(chart)),
    stringProp('volumeName', dnsLike, (chart, volumeName) => pod({ volumeName })(chart)),
    stringProp('webImage', imageLike, (chart, webImage) => pod({ webImage })(chart)),
    stringProp('sidecarImage', imageLike, (chart, sidecarImage) => pod({ sidecarImage })(chart)),
    stringProp('logDirectory', pathLike, (chart, logDirectory) => pod({ logDirectory })(chart)),
    stringProp('logFiles[1]', fileLike, (chart, file) => pod({ logFiles: ['access.log', file] })(chart)),
    numberProp('webPort', [AS_IS], (chart, webPort) => pod({ webPort })(chart), ports),
    numberProp('readInterval', DURATIONS, (chart, readInterval) => pod({ readInterval })(chart), seconds),
    numberProp('webResources.cpu.request', CPUS, (chart, request) => pod({ webResources: { cpu: { request } } })(chart)),
    numberProp('webResources.cpu.limit', CPUS, (chart, limit) => pod({ webResources: { cpu: { limit } } })(chart)),
    numberProp('webResources.memory.request', SIZES, (chart, request) => pod({ webResources: { memory: { request } } })(chart), wholeMebibytes),
    numberProp('webResources.memory.limit', SIZES, (chart, limit) => pod({ webResources: { memory: { limit } } })(chart), wholeMebibytes),
    numberProp('webResources.ephemeralStorage.limit', [GIBIBYTES, MEBIBYTES], (chart, limit) => pod({ webResources: { ephemeralStorage: { limit } } })(chart), wholeGibibytes),
    numberProp('sidecarResources.cpu.request', CPUS, (chart, request) => pod({ sidecarResources: { cpu: { request } } })(chart)),
    numberProp('sidecarResources.memory.limit', SIZES, (chart, limit) => pod({ sidecarResources: { memory: { limit } } })(chart), wholeMebibytes),
    // With rotateLogsAt given, so that a small limit is refused as the limit, not as the rotation size derived from it.
    numberProp('volumeSizeLimit', SIZES, (chart, volumeSizeLimit) =>
      pod({ shipper: LogShipper.stream(), rotateLogsAt: Size.mebibytes(1), volumeSizeLimit })(chart), wholeMebibytes),
    numberProp('rotateLogsAt', SIZES, (chart, rotateLogsAt) => pod({ shipper: LogShipper.stream(), rotateLogsAt })(chart), wholeKibibytes),
  ],
};

/** A label key: plain, with a prefix, or made of special pieces. */
const labelKeyLike = fc.oneof(dnsLike, fc.tuple(dnsLike, dnsLike).map(([prefix, name]) => `${prefix}/${name}`), asciiLike);

const podLevelGroup: PropGroup = {
  name: 'LoggingSidecarPod pod-level props',
  targets: [
    stringProp('metadata.namespace', dnsLike, (chart, namespace) => pod({ metadata: { namespace } })(chart)),
    stringProp('metadata.labels key', labelKeyLike, (chart, key) => pod({ metadata: { labels: { [key]: 'web' } } })(chart)),
    stringProp('metadata.labels["team"]', fc.oneof(dnsLike, asciiLike), (chart, value) => pod({ metadata: { labels: { team: value } } })(chart)),
    stringProp('metadata.annotations key', labelKeyLike, (chart, key) => pod({ metadata: { annotations: { [key]: 'web' } } })(chart)),
    stringProp('metadata.annotations["note"]', asciiLike, (chart, value) => pod({ metadata: { annotations: { note: value } } })(chart)),
    stringProp('nodeSelector["pool"]', fc.oneof(dnsLike, asciiLike), (chart, value) => pod({ nodeSelector: { pool: value } })(chart)),
    stringProp('dns.hostname', dnsLike, (chart, hostname) => pod({ dns: { hostname } })(chart)),
    stringProp('dns.searches[0]', dnsLike, (chart, domain) => pod({ dns: { searches: [domain] } })(chart)),
    stringProp('hostAliases[0].ip', fc.oneof(asciiLike, fc.constantFrom('10.0.0.1', '::1', 'fd00::10')), (chart, ip) => pod({ hostAliases: [{ ip, hostnames: ['db.local'] }] })(chart)),
    stringProp('hostAliases[0].hostnames[0]', dnsLike, (chart, hostname) => pod({ hostAliases: [{ ip: '10.0.0.1', hostnames: [hostname] }] })(chart)),
    numberProp('terminationGracePeriod', DURATIONS, (chart, terminationGracePeriod) => pod({ terminationGracePeriod })(chart), seconds),
  ],
};

const deploymentGroup: PropGroup = {
  name: 'LoggingSidecarDeployment',
  targets: [
    stringProp('deploymentName', dnsLike, (chart, deploymentName) => new LoggingSidecarDeployment(chart, 'web', { deploymentName })),
    stringProp('exposeViaService() name', dnsLike, (chart, name) => new LoggingSidecarDeployment(chart, 'web').exposeViaService({ name })),
    numberProp('replicas', [AS_IS], (chart, replicas) => new LoggingSidecarDeployment(chart, 'web', { replicas }), () => fc.integer({ min: 0, max: 1000 })),
    numberProp('minReady', DURATIONS, (chart, minReady) => new LoggingSidecarDeployment(chart, 'web', { minReady }), seconds),
    numberProp('exposeViaService() port', [AS_IS], (chart, port) => new LoggingSidecarDeployment(chart, 'web').exposeViaService({ port }), ports),
  ],
};

/** A LoggingSidecar on a Deployment whose nginx container writes the logs. */
const sidecar = (props: Partial<LoggingSidecarProps>) => (chart: Chart) => {
  const deployment = new kplus.Deployment(chart, 'web', { containers: [{ name: 'web', image: 'nginx', portNumber: 80 }] });
  new LoggingSidecar(chart, 'logs', { workload: deployment, logWriter: deployment.containers[0], ...props });
};

/** The same on the other workload kinds, whose pod specs lie elsewhere: a CronJob (its sidecar native) and a StatefulSet with its Service. */
const onCronJob = (props: Partial<LoggingSidecarProps>) => (chart: Chart) => {
  const job = new kplus.CronJob(chart, 'job', { schedule: Cron.daily(), containers: [{ name: 'web', image: 'nginx' }] });
  new LoggingSidecar(chart, 'logs', { workload: job, logWriter: job.containers[0], shipper: LogShipper.stream(), nativeSidecar: true, ...props });
};
const onStatefulSet = (props: Partial<LoggingSidecarProps>) => (chart: Chart) => {
  const set = new kplus.StatefulSet(chart, 'set', { containers: [{ name: 'web', image: 'nginx', portNumber: 80 }] });
  new LoggingSidecar(chart, 'logs', { workload: set, logWriter: set.containers[0], shipper: LogShipper.fluentBit(), ...props });
};

const sidecarGroup: PropGroup = {
  name: 'LoggingSidecar',
  targets: [
    stringProp('containerName', dnsLike, (chart, containerName) => sidecar({ containerName })(chart)),
    stringProp('volumeName', dnsLike, (chart, volumeName) => sidecar({ volumeName })(chart)),
    stringProp('logDirectory', pathLike, (chart, logDirectory) => sidecar({ logDirectory })(chart)),
    stringProp('logFiles[0]', fileLike, (chart, file) => sidecar({ logFiles: [file] })(chart)),
    numberProp('runAsUser', [AS_IS], (chart, runAsUser) => sidecar({ hardened: true, runAsUser })(chart), userIds),
    numberProp('resources.cpu.limit', CPUS, (chart, limit) => sidecar({ resources: { cpu: { limit } } })(chart)),
    numberProp('resources.memory.request', SIZES, (chart, request) => sidecar({ resources: { memory: { request } } })(chart), wholeMebibytes),
    numberProp('resources.ephemeralStorage.request', [GIBIBYTES, MEBIBYTES], (chart, request) => sidecar({ resources: { ephemeralStorage: { request } } })(chart), wholeGibibytes),
    numberProp('volumeSizeLimit', SIZES, (chart, volumeSizeLimit) =>
      sidecar({ shipper: LogShipper.stream(), rotateLogsAt: Size.mebibytes(1), volumeSizeLimit })(chart), wholeMebibytes),
    numberProp('rotateLogsAt', SIZES, (chart, rotateLogsAt) => sidecar({ shipper: LogShipper.stream(), rotateLogsAt })(chart), wholeKibibytes),
    stringProp('logDirectory', pathLike, (chart, logDirectory) => onCronJob({ logDirectory })(chart)),
    stringProp('containerName', dnsLike, (chart, containerName) => onStatefulSet({ containerName })(chart)),
  ],
};

/**
 * A rotating LoggingSidecar whose writer is reopened as `LogReopen.signal()` is given, so that
 * it reaches the stream shipper's command, or with `fluentBit`, the rotator's.
 */
const reopening = (options: Partial<Parameters<typeof LogReopen.signal>[0]>, fluentBit = false) => (chart: Chart) => {
  const reopenLogs = LogReopen.signal({ processCommandLine: '/app/server', signal: 'HUP', ...options });
  (fluentBit ? onStatefulSet : sidecar)({ shipper: fluentBit ? LogShipper.fluentBit() : LogShipper.stream(), rotateLogsAt: Size.mebibytes(8), reopenLogs })(chart);
};
const commandLineLike = fc.oneof(asciiLike, pathLike, pathLike.map(p => `${p} --serve`));

const logReopenGroup: PropGroup = {
  name: 'LogReopen.signal()',
  targets: [
    stringProp('LogReopen.signal() processCommandLine', commandLineLike, (chart, processCommandLine) => reopening({ processCommandLine })(chart)),
    stringProp('LogReopen.signal() processCommandLine', commandLineLike, (chart, processCommandLine) => reopening({ processCommandLine }, true)(chart)),
    stringProp('LogReopen.signal() signal', fc.constantFrom('HUP', 'USR1', 'USR2', 'WINCH', 'ALRM'), (chart, signal) => reopening({ signal })(chart)),
  ],
};

/** A LoggingSidecarPod with the shipper `make()` returns. */
const shipping = (make: () => LogShipper, props: LoggingSidecarPodProps = {}) => (chart: Chart) => pod({ shipper: make(), ...props })(chart);

const catLoopGroup: PropGroup = {
  name: 'LogShipper.catLoop()',
  targets: [
    stringProp('LogShipper.catLoop() image', imageLike, (chart, image) => shipping(() => LogShipper.catLoop({ image }))(chart)),
    numberProp('LogShipper.catLoop() readInterval', DURATIONS, (chart, readInterval) => shipping(() => LogShipper.catLoop({ readInterval }))(chart), seconds),
  ],
};

const streamGroup: PropGroup = {
  name: 'LogShipper.stream()',
  targets: [
    stringProp('LogShipper.stream() image', imageLike, (chart, image) => shipping(() => LogShipper.stream({ image }))(chart)),
    numberProp('LogShipper.stream() rotateWait', DURATIONS, (chart, rotateWait) =>
      shipping(() => LogShipper.stream({ rotateWait }), { rotateLogsAt: Size.mebibytes(8) })(chart), seconds),
  ],
};

const custom = (options: Partial<Parameters<typeof LogShipper.custom>[0]>) =>
  shipping(() => LogShipper.custom({ image: 'vector:0.40', command: ['vector'], ...options }));

const customGroup: PropGroup = {
  name: 'LogShipper.custom()',
  targets: [
    stringProp('LogShipper.custom() image', imageLike, (chart, image) => custom({ image })(chart)),
    stringProp('LogShipper.custom() command[1]', pathLike, (chart, word) => custom({ command: ['sh', word] })(chart)),
    stringProp('LogShipper.custom() args[0]', pathLike, (chart, word) => custom({ args: [word] })(chart)),
    numberProp('LogShipper.custom() resources.cpu.limit', CPUS, (chart, limit) => custom({ resources: { cpu: { limit } } })(chart)),
    numberProp('LogShipper.custom() resources.memory.request', SIZES, (chart, request) => custom({ resources: { memory: { request } } })(chart), wholeMebibytes),
  ],
};

const fluentBit = (options: Parameters<typeof LogShipper.fluentBit>[0], props: LoggingSidecarPodProps = {}) =>
  shipping(() => LogShipper.fluentBit(options), props);

const fluentBitGroup: PropGroup = {
  name: 'LogShipper.fluentBit()',
  targets: [
    stringProp('LogShipper.fluentBit() image', imageLike, (chart, image) => fluentBit({ image })(chart)),
    stringProp('LogShipper.fluentBit() stateKeeperImage', imageLike, (chart, stateKeeperImage) => fluentBit({ stateKeeperImage })(chart)),
    numberProp('LogShipper.fluentBit() memBufLimit', SIZES, (chart, memBufLimit) => fluentBit({ memBufLimit })(chart), wholeMebibytes),
    numberProp('LogShipper.fluentBit() rotateWait', DURATIONS, (chart, rotateWait) => fluentBit({ rotateWait })(chart), seconds),
    numberProp('LogShipper.fluentBit() flushInterval', DURATIONS, (chart, flushInterval) => fluentBit({ flushInterval })(chart), seconds),
    // A key names one of the sidecar's log files (the default two here); only the file's name reaches the manifest.
    stringProp('LogShipper.fluentBit() parsers', fc.oneof(fileLike, fc.constantFrom('access.log', 'error.log')), (chart, file) =>
      fluentBit({ parsers: { [file]: FluentBitParser.none() } })(chart)),
    // The log directory and files are written into Fluent Bit's configuration too.
    stringProp('logDirectory', pathLike, (chart, logDirectory) => fluentBit({}, { logDirectory })(chart)),
    stringProp('logFiles[1]', fileLike, (chart, file) => fluentBit({}, { logFiles: ['access.log', file] })(chart)),
  ],
};

export const CONSTRUCT_GROUPS: PropGroup[] = [podGroup, podLevelGroup, deploymentGroup, sidecarGroup, logReopenGroup, catLoopGroup, streamGroup, customGroup, fluentBitGroup];
