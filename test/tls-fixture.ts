import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

// Certificates made by openssl for TLS round trips on loopback: a CA that
// signs the receiver's certificate (for `localhost` and 127.0.0.1) and a
// client certificate, a second CA that signs nothing the receiver shows,
// and a certificate from the right CA for another host name.

export interface TlsFixture {
  readonly dir: string;
  /** The CA that signed the server and client certificates. */
  readonly caFile: string;
  /** A CA that signed neither. */
  readonly wrongCaFile: string;
  /** The receiver's certificate for `localhost`, 127.0.0.1 and the `serverNames`, and its key. */
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  /** A certificate of the right CA for `elsewhere.example` only, and its key. */
  readonly otherNameCertFile: string;
  readonly otherNameKeyFile: string;
  /** A client certificate of the right CA, and its key. */
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
}

/** `serverNames`: more names the receiver's certificate is for, such as a Service's cluster DNS name. */
export function makeTlsFixture(dir: string, serverNames: string[] = []): TlsFixture {
  fs.mkdirSync(dir, { recursive: true });
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ca = (name: string) => openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
    '-subj', `/CN=${name}`, '-keyout', file(`${name}.key`), '-out', file(`${name}.crt`),
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  const signed = (name: string, subject: string, extensions: string) => {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${subject}`, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`));
    fs.writeFileSync(file(`${name}.ext`), extensions);
    openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file('test-ca.crt'), '-CAkey', file('test-ca.key'), '-CAcreateserial',
      '-days', '2', '-out', file(`${name}.crt`), '-extfile', file(`${name}.ext`));
  };
  ca('test-ca');
  ca('wrong-ca');
  signed('server', 'localhost', `subjectAltName=${['localhost', ...serverNames].map(n => `DNS:${n}`).join(',')},IP:127.0.0.1\nextendedKeyUsage=serverAuth\n`);
  signed('other-name', 'elsewhere.example', 'subjectAltName=DNS:elsewhere.example\nextendedKeyUsage=serverAuth\n');
  signed('client', 'webserver-sidecar', 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    caFile: file('test-ca.crt'),
    wrongCaFile: file('wrong-ca.crt'),
    serverCertFile: file('server.crt'),
    serverKeyFile: file('server.key'),
    otherNameCertFile: file('other-name.crt'),
    otherNameKeyFile: file('other-name.key'),
    clientCertFile: file('client.crt'),
    clientKeyFile: file('client.key'),
  };
}
