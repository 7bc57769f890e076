/**
 * A stand-in for the hospital's WeChat/SMS gateways, run as a process of its own by the local
 * deployment and the soak: it takes the webhook channel's contract (JSON POST per message with an
 * `Idempotency-Key` header; 2xx delivered, 5xx retried, other 4xx permanent) on `/<channel>`,
 * records every request, deduplicates by key as a real provider does, and can be told to fail,
 * slow down or go silent:
 *
 *   POST /control/mode {"mode": "ok" | "fail" | "slow" | "silent", "delayMs": 2000}
 *   GET  /control/stats → {requests, delivered, duplicates, byChannel, mode}
 *   GET  /control/keys  → every delivered idempotency key with its channel and first time
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export type GatewayMode = 'ok' | 'fail' | 'slow' | 'silent';

export interface GatewayStats {
  requests: number;
  delivered: number;
  /** Requests for a key already delivered: deduplicated here, as a provider does. */
  duplicates: number;
  byChannel: Record<string, number>;
  mode: GatewayMode;
}

/** Starts the gateway on `port` (0: a free one); resolves with its port and a stop function. */
export async function startFakeGateway(port: number): Promise<{ port: number; stop: () => Promise<void> }> {
  let mode: GatewayMode = 'ok';
  let delayMs = 2_000;
  const delivered = new Map<string, { channel: string; at: string }>();
  const stats: GatewayStats = { requests: 0, delivered: 0, duplicates: 0, byChannel: {}, mode };
  const held = new Set<ServerResponse>();

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (url.pathname === '/control/mode' && req.method === 'POST') {
      const asked = JSON.parse(body || '{}') as { mode?: GatewayMode; delayMs?: number };
      if (!asked.mode || !['ok', 'fail', 'slow', 'silent'].includes(asked.mode)) return json(res, 400, { error: 'mode must be ok, fail, slow or silent' });
      mode = stats.mode = asked.mode;
      if (typeof asked.delayMs === 'number') delayMs = asked.delayMs;
      if (mode !== 'silent') for (const r of held) json(r, 503, { error: 'gateway was silent' });
      held.clear();
      return json(res, 200, { mode, delayMs });
    }
    if (url.pathname === '/control/stats') return json(res, 200, stats);
    if (url.pathname === '/control/keys') return json(res, 200, Object.fromEntries(delivered));
    if (req.method !== 'POST') return json(res, 404, { error: 'not found' });

    const channel = url.pathname.slice(1) || 'unknown';
    const key = req.headers['idempotency-key'];
    if (typeof key !== 'string' || !key) return json(res, 400, { error: 'Idempotency-Key header required' });
    stats.requests++;
    if (mode === 'silent') return void held.add(res);
    if (mode === 'fail') return json(res, 503, { error: 'gateway unavailable' });
    if (mode === 'slow') await new Promise((r) => setTimeout(r, delayMs));
    if (delivered.has(key)) {
      stats.duplicates++;
      return json(res, 200, { id: `gw:${key}`, duplicate: true });
    }
    delivered.set(key, { channel, at: new Date().toISOString() });
    stats.delivered++;
    stats.byChannel[channel] = (stats.byChannel[channel] ?? 0) + 1;
    return json(res, 200, { id: `gw:${key}` });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as { port: number }).port;
  return {
    port: actual,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const r of held) r.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// Run as a process: `node --import tsx infra/deployment/fake-gateway.ts <port>`.
if (import.meta.url === `file://${process.argv[1]}`) {
  const { port } = await startFakeGateway(Number(process.argv[2] ?? 0));
  process.stdout.write(`fake gateway listening on ${port}\n`);
}
