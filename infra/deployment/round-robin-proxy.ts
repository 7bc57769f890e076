/**
 * One port in front of several API processes, as a load balancer would be: each request goes to
 * the next upstream in turn; an upstream that refuses the connection (killed, restarting) is
 * skipped for that request, which is safe because nothing reached it.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';

/** Starts the proxy on `port`; `upstreams` are `host:port` strings and may be changed later. */
export async function startRoundRobinProxy(port: number, upstreams: string[]): Promise<{ port: number; stop: () => Promise<void> }> {
  let next = 0;
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    for (let tried = 0; tried < upstreams.length; tried++) {
      const target = upstreams[next++ % upstreams.length]!;
      const sent = await forward(target, req, body, res);
      if (sent) return;
    }
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'bad-gateway', message: 'no API process answered' }));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Resolves true once a response was relayed, false when the upstream refused the connection. */
function forward(target: string, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<boolean> {
  const [host, port] = target.split(':');
  return new Promise((resolve) => {
    const upstream = httpRequest({ host, port: Number(port), method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.on('end', () => resolve(true));
    });
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      // Only a refused connection is retried elsewhere: after a reset the request may have reached it.
      if (!res.headersSent && err.code === 'ECONNREFUSED') return resolve(false);
      if (!res.headersSent) res.writeHead(502);
      res.end();
      resolve(true);
    });
    upstream.end(body);
  });
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
