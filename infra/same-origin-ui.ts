/**
 * The embedded Temporal Web UI and the API's codec endpoint on one origin: a small proxy on the
 * UI's public port sends `/codec…` to the API and everything else to the UI, which listens on
 * an internal port. A browser sends the codec session cookie to a same-origin endpoint by
 * default, so an operator who signed in at `<ui>/codec/login` sees decrypted payloads without
 * the UI's "Include cross-origin credentials" setting.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';

/** The first path segment that goes to the API; everything else goes to the UI. */
export const CODEC_PATH = '/codec';

export interface SameOriginUi {
  port: number;
  /** Where API requests go; set once the API listens (until then they answer 502). */
  setApi(address: string | null): void;
  stop(): Promise<void>;
}

/** Starts the proxy on `host:port`, in front of the UI at `ui` (`host:port`). */
export async function startSameOriginUi(options: { host: string; port: number; ui: string; api?: string | null }): Promise<SameOriginUi> {
  let api = options.api ?? null;
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    const toApi = path === CODEC_PATH || path.startsWith(`${CODEC_PATH}/`) || path.startsWith(`${CODEC_PATH}?`);
    const target = toApi ? api : options.ui;
    if (!target) return badGateway(res, 'the API is not listening yet');
    forward(target, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  return {
    port: (server.address() as { port: number }).port,
    setApi: (address) => (api = address),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function forward(target: string, req: IncomingMessage, res: ServerResponse): void {
  const [host, port] = target.split(':');
  const upstream = httpRequest({ host, port: Number(port), method: req.method, path: req.url, headers: req.headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', () => (res.headersSent ? res.destroy() : badGateway(res, `nothing answered at ${target}`)));
  req.pipe(upstream);
}

function badGateway(res: ServerResponse, message: string): void {
  res.writeHead(502, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: 'bad-gateway', message }));
}
