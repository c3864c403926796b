import * as fs from 'fs';
import * as path from 'path';
import { execOk } from './exec';

/** A certificate and its private key, PEM. */
export interface KeyPair {
  readonly cert: string;
  readonly key: string;
}

/**
 * A CA made for one run with openssl, and server certificates it signs. EC
 * P-256 keys: made in milliseconds, so nothing is cached, and a CA never
 * outlives its run (one day of validity).
 */
export class TestCa {
  public static async create(dir: string, runId: string): Promise<TestCa> {
    fs.mkdirSync(dir, { recursive: true });
    const ca = new TestCa(dir);
    await execOk('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', ca.file('ca.key'), '-out', ca.file('ca.crt'), '-days', '1', '-subj', `/CN=cdk8s-logging-sidecar e2e CA ${runId}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], { timeoutMs: 30_000 });
    return ca;
  }

  private constructor(private readonly dir: string) {}

  /** The CA certificate, as the manifest's Secret or ConfigMap must hold it. */
  public get cert(): string {
    return fs.readFileSync(this.file('ca.crt'), 'utf8');
  }

  /** A server certificate whose only subjectAltName is `host`, as a client verifying the host name wants. */
  public async serverCertificate(host: string): Promise<KeyPair> {
    const base = this.file(`server-${host}`);
    fs.writeFileSync(`${base}.ext`, `subjectAltName=DNS:${host}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n`);
    await execOk('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${host}`], { timeoutMs: 30_000 });
    await execOk('openssl', ['x509', '-req', '-in', `${base}.csr`, '-CA', this.file('ca.crt'), '-CAkey', this.file('ca.key'),
      '-CAcreateserial', '-days', '1', '-out', `${base}.crt`, '-extfile', `${base}.ext`], { timeoutMs: 30_000 });
    return { cert: fs.readFileSync(`${base}.crt`, 'utf8'), key: fs.readFileSync(`${base}.key`, 'utf8') };
  }

  private file(name: string): string {
    return path.join(this.dir, name);
  }
}

/** An htpasswd line for basic auth, hashed with apr1 (which nginx checks itself, whatever its libc). */
export async function htpasswdLine(user: string, password: string): Promise<string> {
  return `${user}:${(await execOk('openssl', ['passwd', '-apr1', '-stdin'], { input: password, timeoutMs: 30_000 })).trim()}\n`;
}
