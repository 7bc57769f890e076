import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a provider fake answers: a JSON body with a status, or `drop` (accept the request, then cut the connection before answering). */
export type FakeAnswer = { status?: number; body: unknown } | 'drop';

/** A local HTTP server for one provider's fake; `handle` sees the raw body and answers. */
export async function startFakeServer(handle: (req: IncomingMessage, body: string) => FakeAnswer | Promise<FakeAnswer>) {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', async () => {
      const answer = await handle(req, body);
      if (answer === 'drop') return void res.socket?.destroy();
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    host: `127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
