import { request, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

/**
 * HTTP from the test process to a pod, over the unix socket of the pod's
 * forwarder (the host has no route to the pod addresses, on purpose).
 */

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface UnixRequest {
  socketPath: string;
  path: string;
  method?: string;
  body?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export function httpRequestUnix(req: UnixRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const r = request(
      { socketPath: req.socketPath, path: req.path, method: req.method ?? 'GET', headers: req.headers, timeout: req.timeoutMs ?? 5000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    r.on('timeout', () => r.destroy(new Error(`failed to GET ${req.path} via ${req.socketPath}: timed out`)));
    r.on('error', reject);
    r.end(req.body);
  });
}

/** True when something accepts connections on the socket. */
export function canConnectUnix(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
