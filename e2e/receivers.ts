import { randomBytes, randomUUID } from 'crypto';
import * as http from 'http';
import * as https from 'https';
import { Yaml } from 'cdk8s';
import { ReceiverExpectation } from './cases';
import { CheckFailure } from './errors';
import { sleep } from './exec';
import { htpasswdLine, KeyPair, TestCa } from './pki';
import { playedContainerName } from './podman';
import { ObjectValues, putValue } from './secrets';
import { USER_AGENT } from './traffic';

/**
 * The receiving end of a shipper's output, played in a pod of its own on
 * podman's bridge: Fluent Bit (the image the manifests use for the sidecar,
 * so stand-in or official alike) with the input for the protocol, printing
 * every request it accepts to its stdout as one JSON line. This is Fluent
 * Bit's implementation of the protocol's receiving side, not the real service
 * (for Loki: no storage, no label or order checks); the e2e reads what the
 * shipper sent from that stdout.
 *
 * Credentials Fluent Bit's inputs cannot check (basic auth, a Loki tenant)
 * are checked by nginx in front of it, in the same pod: it serves the port
 * (and TLS), answers 401 or 403 itself, passes the rest to Fluent Bit on
 * loopback and logs each request with its user and tenant. A Splunk HEC
 * token Fluent Bit's splunk input checks itself (`splunk_token`), and serves
 * TLS itself too.
 */
export interface Receiver {
  readonly podName: string;
  /** The Fluent Bit container, as podman names it. */
  readonly container: string;
  /** The nginx in front, as podman names it, where credentials are checked by it. */
  readonly front?: string;
  /** The Pod and its ConfigMaps, for `podman kube play`. */
  readonly objects: readonly any[];
  /** Where its health endpoint answers, on the pod IP. */
  readonly healthPort: number;
  readonly healthPath: string;
  /** What the e2e made for it: its server certificate's CA, the credentials it takes. */
  readonly secrets: ReceiverSecrets;
}

/** What the e2e makes for one receiver, for the run. */
export interface ReceiverSecrets {
  /** The CA certificate the receiver's certificate is signed by. */
  readonly ca?: string;
  /** The receiver's certificate, for its host name. */
  readonly server?: KeyPair;
  readonly password?: string;
  /** The password's htpasswd line, for the nginx in front. */
  readonly htpasswd?: string;
  readonly token?: string;
}

const FLUENT_BIT_IMAGE = 'cr.fluentbit.io/fluent/fluent-bit:3.2.10';
const NGINX_IMAGE = 'docker.io/library/nginx:latest';
const CONFIG_DIR = '/fluent-bit/etc/receiver';
const TLS_DIR = '/etc/e2e-receiver/tls';
const NGINX_CONF_DIR = '/etc/nginx/conf.d';

/** Where each protocol's requests go: the one path the nginx in front passes on. */
const PATHS: { readonly [protocol: string]: string } = { loki: '/loki/api/v1/push', elasticsearch: '/_bulk', splunk: '/services/collector/event' };
const INPUTS: { readonly [protocol: string]: string } = { loki: 'http', elasticsearch: 'elasticsearch', splunk: 'splunk' };

/**
 * Makes what a receiver needs for the run: a server certificate for its host
 * from the run's CA, a random password or token. Each value the manifest
 * reads from a Secret or ConfigMap is put in `values` under that key.
 */
export async function makeReceiverSecrets(r: ReceiverExpectation, ca: TestCa | undefined, values: ObjectValues): Promise<ReceiverSecrets> {
  let secrets: ReceiverSecrets = {};
  if (r.tlsCa) {
    if (!ca) throw new Error('a receiver with tlsCa needs the run\'s CA');
    secrets = { ...secrets, ca: ca.cert, server: await ca.serverCertificate(r.host) };
    putValue(values, r.tlsCa, ca.cert);
  }
  if (r.basicAuth) {
    const password = `e2e-${randomBytes(12).toString('hex')}`;
    secrets = { ...secrets, password, htpasswd: await htpasswdLine(r.basicAuth.username, password) };
    putValue(values, r.basicAuth.password, password);
  }
  if (r.token) {
    secrets = { ...secrets, token: randomUUID() };
    putValue(values, r.token, secrets.token!);
  }
  return secrets;
}

export function receiverFor(r: ReceiverExpectation, index: number, secrets: ReceiverSecrets): Receiver {
  const podName = `cdk8s-e2e-${r.protocol}-receiver${index ? `-${index + 1}` : ''}`;
  const fronted = r.basicAuth !== undefined || r.tenant !== undefined;
  if (fronted && r.protocol === 'splunk') throw new Error('e2e/cases.ts: a splunk receiver checks a token, not basic auth or a tenant');
  if (r.token && r.protocol !== 'splunk') throw new Error(`e2e/cases.ts: a ${r.protocol} receiver cannot check a token`);
  // Behind nginx, Fluent Bit listens on loopback only, so that nothing reaches it unchecked.
  const internalPort = r.port === 9880 ? 9881 : 9880;
  const tls = secrets.server ? { 'tls': 'on', 'tls.crt_file': `${TLS_DIR}/tls.crt`, 'tls.key_file': `${TLS_DIR}/tls.key`, 'http2': 'off' } : {};
  const input = fronted
    ? { name: INPUTS[r.protocol], listen: '127.0.0.1', port: String(internalPort) }
    // Fluent Bit 3.2's inputs serving TLS answer HTTP/1.1 requests only with http2 off; without it they hang.
    : { name: INPUTS[r.protocol], listen: '0.0.0.0', port: String(r.port), ...tls, ...secrets.token ? { splunk_token: secrets.token } : {} };
  const config = {
    service: { 'flush': '0.2', 'log_level': 'info', 'http_server': 'on', 'http_listen': '0.0.0.0', 'http_port': '2020', 'health_check': 'on', 'grace': '0' },
    pipeline: {
      // The http input tags records with the URI path (loki.api.v1.push), hence `*`.
      inputs: [input],
      outputs: [{ name: 'stdout', match: '*', format: 'json_lines' }],
    },
  };
  const tlsVolume = { name: 'tls', configMap: { name: `${podName}-tls` } };
  const tlsMount = { name: 'tls', mountPath: TLS_DIR, readOnly: true };
  const receiver = {
    name: 'receiver',
    image: FLUENT_BIT_IMAGE,
    imagePullPolicy: 'Always',
    args: ['-c', `${CONFIG_DIR}/fluent-bit.yaml`],
    // No `ports`: podman 4.3 would publish them on the host. The pod IP is enough.
    volumeMounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }, ...secrets.server && !fronted ? [tlsMount] : []],
  };
  const containers: any[] = [receiver];
  const volumes: any[] = [{ name: 'config', configMap: { name: podName } }, ...secrets.server ? [tlsVolume] : []];
  const objects: any[] = [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: podName }, data: { 'fluent-bit.yaml': Yaml.stringify(config) } }];
  if (secrets.server) {
    objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${podName}-tls` }, data: { 'tls.crt': secrets.server.cert, 'tls.key': secrets.server.key } });
  }
  if (fronted) {
    const data: { [file: string]: string } = { 'default.conf': nginxFront(r, internalPort, secrets.server !== undefined) };
    if (secrets.htpasswd) data.htpasswd = secrets.htpasswd;
    objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${podName}-front` }, data });
    containers.unshift({
      name: 'front',
      image: NGINX_IMAGE,
      imagePullPolicy: 'Always',
      volumeMounts: [{ name: 'front', mountPath: NGINX_CONF_DIR, readOnly: true }, ...secrets.server ? [tlsMount] : []],
    });
    volumes.push({ name: 'front', configMap: { name: `${podName}-front` } });
  }
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: podName }, spec: { restartPolicy: 'Never', containers, volumes } };
  return {
    podName,
    container: playedContainerName(podName, 'receiver'),
    front: fronted ? playedContainerName(podName, 'front') : undefined,
    objects: [pod, ...objects],
    healthPort: 2020,
    healthPath: '/api/v1/health',
    secrets,
  };
}

/** What the receiver's pod is, for the output. */
export function describeReceiver(r: ReceiverExpectation, receiver: Receiver, ip: string): string {
  const scheme = receiver.secrets.server ? `TLS with a certificate for ${r.host} from the run's CA` : 'plain HTTP';
  const input = `Fluent Bit's ${INPUTS[r.protocol]} input`;
  const checks = [
    r.basicAuth && `basic auth as ${r.basicAuth.username}`,
    r.tenant && `tenant ${r.tenant}`,
    r.token && 'a HEC token (splunk_token)',
  ].filter(x => x).join(', ');
  const who = receiver.front ? `nginx on ${ip}:${r.port} (${scheme}; checks ${checks}; passes ${PATHS[r.protocol]} to ${input} on loopback)`
    : `${input} on ${ip}:${r.port} (${scheme}${checks ? `; checks ${checks}` : ''})`;
  return `${who}, printing each request it accepts to its stdout (a stand-in for the service, not ${r.protocol} itself)`;
}

/**
 * nginx's server for the receiver: TLS, basic auth, the tenant, one path.
 * The rewrite phase comes before the access phase, so a wrong tenant is
 * refused (403) before the password is looked at (401).
 */
function nginxFront(r: ReceiverExpectation, internalPort: number, tls: boolean): string {
  const lines = [
    'log_format e2e_front \'$status $request_method $uri user=$remote_user tenant=$http_x_scope_orgid agent="$http_user_agent"\';',
    ...r.tenant ? [`map $http_x_scope_orgid $e2e_tenant_ok { default 0; ${JSON.stringify(r.tenant)} 1; }`] : [],
    'server {',
    `  listen ${r.port}${tls ? ' ssl' : ''};`,
    ...tls ? [`  ssl_certificate ${TLS_DIR}/tls.crt;`, `  ssl_certificate_key ${TLS_DIR}/tls.key;`] : [],
    '  access_log /dev/stdout e2e_front;',
    '  client_max_body_size 16m;',
    ...r.basicAuth ? [`  auth_basic ${r.protocol};`, `  auth_basic_user_file ${NGINX_CONF_DIR}/htpasswd;`] : [],
    `  location = ${PATHS[r.protocol]} {`,
    ...r.tenant ? ['    if ($e2e_tenant_ok = 0) { return 403; }'] : [],
    `    proxy_pass http://127.0.0.1:${internalPort};`,
    '  }',
    '  location / { return 404; }',
    '}',
  ];
  return `${lines.join('\n')}\n`;
}

/** A request the receiver must refuse, and the status it must refuse it with. */
interface Refusal {
  readonly what: string;
  readonly headers: { readonly [name: string]: string };
  readonly status: number;
}

/**
 * Sends the receiver, over TLS verified against the run's CA for its host
 * name, requests with wrong credentials, and expects each refused: so that
 * the shipper's lines arriving shows its credentials were right. Returns a
 * line for the output; undefined when the receiver checks nothing.
 */
export async function checkRefusals(r: ReceiverExpectation, receiver: Receiver, ip: string): Promise<string | undefined> {
  const refusals = refusalsFor(r, receiver.secrets);
  if (refusals.length === 0) return undefined;
  const answers: string[] = [];
  for (const refusal of refusals) {
    const { status, error } = await postWhenUp(r, receiver.secrets, ip, refusal.headers);
    if (status === 0) throw new CheckFailure(`the ${r.protocol} receiver did not answer ${refusal.what} on ${ip}:${r.port}: ${error}`);
    if (status !== refusal.status) {
      throw new CheckFailure(`the ${r.protocol} receiver answered ${refusal.what} with ${status}, expected ${refusal.status}: `
        + 'it does not check what the shipper must get right, so the shipped lines would prove nothing');
    }
    answers.push(`${refusal.what} -> ${status}`);
  }
  return `${answers.join(', ')}${receiver.secrets.server ? ` (TLS verified against the run's CA as ${r.host})` : ''}`;
}

function refusalsFor(r: ReceiverExpectation, secrets: ReceiverSecrets): Refusal[] {
  type Headers = { [name: string]: string };
  const basic = (password: string): Headers => r.basicAuth ? { authorization: `Basic ${Buffer.from(`${r.basicAuth.username}:${password}`).toString('base64')}` } : {};
  const tenant = (name: string): Headers => r.tenant ? { 'x-scope-orgid': name } : {};
  const refusals: Refusal[] = [];
  if (r.basicAuth) refusals.push({ what: 'a wrong password', headers: { ...basic('not-the-password'), ...tenant(r.tenant ?? '') }, status: 401 });
  if (r.basicAuth) refusals.push({ what: 'no credentials', headers: { ...tenant(r.tenant ?? '') }, status: 401 });
  if (r.tenant) refusals.push({ what: 'another tenant', headers: { ...basic(secrets.password ?? ''), ...tenant(`not-${r.tenant}`) }, status: 403 });
  if (r.token) refusals.push({ what: 'a wrong HEC token', headers: { authorization: `Splunk ${randomUUID()}` }, status: 401 });
  return refusals;
}

/** A status, or 0 and why there was none. */
interface Answer {
  readonly status: number;
  readonly error?: string;
}

/** POSTs an empty JSON body to the protocol's path; retried while nothing listens yet (nginx starting). */
async function postWhenUp(r: ReceiverExpectation, secrets: ReceiverSecrets, ip: string, headers: { readonly [name: string]: string }): Promise<Answer> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const answer = await post(r, secrets, ip, headers);
    if (answer.status !== 0 || Date.now() > deadline) return answer;
    await sleep(250);
  }
}

function post(r: ReceiverExpectation, secrets: ReceiverSecrets, ip: string, headers: { readonly [name: string]: string }): Promise<Answer> {
  return new Promise(resolve => {
    const options = {
      host: ip, port: r.port, path: PATHS[r.protocol], method: 'POST', timeout: 5000,
      headers: { ...headers, 'content-type': 'application/json', 'user-agent': USER_AGENT },
      // The certificate is checked against the run's CA and the host name the manifest uses.
      ...secrets.server ? { ca: secrets.ca, servername: r.host } : {},
    };
    const req = (secrets.server ? https : http).request(options, res => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', e => resolve({ status: 0, error: e.message }));
    req.end('{}');
  });
}
