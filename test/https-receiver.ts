import * as fs from 'fs';
import * as https from 'https';
import { AddressInfo } from 'net';

// An HTTPS endpoint that records each request Fluent Bit sends, headers
// included, and answers 401 to one whose Authorization header is not the
// expected one: what Loki, Elasticsearch and most HTTP collectors do with
// basic auth or a bearer token; and, asked to, refuses a TLS handshake
// without a client certificate of a given CA. Fluent Bit's own http and
// elasticsearch inputs check neither credentials nor client certificates
// (with tls.verify on and a CA they still accept a client without one), so
// this is the receiving end that can.

export interface ReceivedRequest {
  readonly url: string;
  readonly headers: { [name: string]: string | string[] | undefined };
  readonly body: string;
  readonly status: number;
}

export interface HttpsReceiver {
  readonly port: number;
  readonly requests: ReceivedRequest[];
  close(): Promise<void>;
}

export interface HttpsReceiverOptions {
  readonly certFile: string;
  readonly keyFile: string;
  /** The Authorization headers a request may carry. @default - any, or none */
  readonly acceptedAuthorizations?: string[];
  /** Require a client certificate of this CA (mutual TLS): the handshake fails without one. */
  readonly clientCaFile?: string;
}

export async function startHttpsReceiver(options: HttpsReceiverOptions): Promise<HttpsReceiver> {
  const requests: ReceivedRequest[] = [];
  const server = https.createServer({
    cert: fs.readFileSync(options.certFile),
    key: fs.readFileSync(options.keyFile),
    ...(options.clientCaFile ? { ca: fs.readFileSync(options.clientCaFile), requestCert: true, rejectUnauthorized: true } : {}),
  }, (req, res) => {
    let body = '';
    req.on('data', chunk => { body += chunk; });
    req.on('end', () => {
      const status = options.acceptedAuthorizations === undefined || options.acceptedAuthorizations.includes(req.headers.authorization ?? '') ? 200 : 401;
      requests.push({ url: req.url ?? '', headers: req.headers, body, status });
      res.writeHead(status, { 'Content-Type': 'application/json' });
      // Enough of a Bulk API answer for the es and opensearch outputs.
      res.end(req.url?.startsWith('/_bulk') ? '{"errors":false,"items":[]}' : '{}');
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () => new Promise(resolve => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
