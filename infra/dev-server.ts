import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CarepathError } from '../errors/carepath-error.ts';
import { freePort, isPortFree, waitForPort } from './ports.ts';
import { CODEC_PATH, startSameOriginUi, type SameOriginUi } from './same-origin-ui.ts';

export interface DevServerOptions {
  cliPath: string;
  ip: string;
  port: number;
  namespace: string;
  /** Web UI port; null runs headless. */
  uiPort: number | null;
  /** SQLite file that keeps journeys across restarts; null keeps everything in memory. */
  dbFile: string | null;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Where the server's own log goes; null discards it. */
  logFile: string | null;
  /**
   * Serve the API's codec endpoint on the Web UI's own origin (`<ui>/codec`, ./same-origin-ui.ts)
   * and point the UI at it (`--ui-codec-endpoint`); the API's address is given later (setCodecApi).
   */
  uiCodec?: boolean;
}

export interface RunningDevServer {
  address: string;
  uiUrl: string | null;
  /** Where `<ui>/codec` requests go (`host:port` of the API); until set they answer 502. */
  setCodecApi(address: string): void;
  pid: number;
  /** Stops the server (SIGTERM, then SIGKILL after 10 s) and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts `temporal server start-dev` and waits until its frontend port answers.
 * A dev server left over from an earlier carepath run (recorded in a pid file next to the
 * SQLite file) is stopped first, so a crash never blocks the next start.
 */
export async function startDevServer(options: DevServerOptions): Promise<RunningDevServer> {
  const pidFile = options.dbFile ? `${options.dbFile}.pid` : null;
  if (pidFile) await stopLeftover(pidFile);

  for (const [what, port] of [
    ['gRPC', options.port],
    ['Web UI', options.uiPort],
  ] as const) {
    if (port !== null && !(await isPortFree(port, options.ip))) {
      throw new CarepathError(
        'port-in-use',
        `port ${port} (Temporal ${what}) on ${options.ip} is already in use: stop whatever holds it, ` +
          `change devServer ports in temporal.config.yaml, or set TEMPORAL_ADDRESS to use a running server`,
      );
    }
  }
  const args = [
    'server',
    'start-dev',
    '--ip',
    options.ip,
    '--port',
    String(options.port),
    '--namespace',
    options.namespace,
    '--log-level',
    options.logLevel,
    '--log-format',
    'json',
  ];
  if (options.dbFile) {
    mkdirSync(path.dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }
  // With the codec on the UI's origin, the UI itself listens on an internal port behind the proxy.
  const uiInternalPort = options.uiPort !== null && options.uiCodec ? await freePort(options.ip) : options.uiPort;
  const uiUrl = options.uiPort !== null ? `http://${options.ip}:${options.uiPort}` : null;
  if (uiInternalPort !== null) args.push('--ui-port', String(uiInternalPort), '--ui-ip', options.ip);
  else args.push('--headless');
  if (uiUrl && options.uiCodec) args.push('--ui-codec-endpoint', `${uiUrl}${CODEC_PATH}`);

  // Own process group: Ctrl-C reaches carepath, which stops the worker before the server.
  const child = spawn(options.cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  if (options.logFile) {
    mkdirSync(path.dirname(options.logFile), { recursive: true });
    const log = createWriteStream(options.logFile, { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  } else {
    child.stdout?.resume();
    child.stderr?.resume();
  }
  let exited = false;
  let front: SameOriginUi | null = null;
  child.once('exit', () => (exited = true));
  if (pidFile && child.pid) writeFileSync(pidFile, String(child.pid));

  try {
    await waitForPort(options.port, options.ip, 60_000, () => !exited);
    if (uiInternalPort !== null) await waitForPort(uiInternalPort, options.ip, 30_000, () => !exited);
    if (options.uiPort !== null && uiInternalPort !== options.uiPort) {
      front = await startSameOriginUi({ host: options.ip, port: options.uiPort, ui: `${options.ip}:${uiInternalPort}` });
    }
  } catch (err) {
    child.kill('SIGKILL');
    const where = options.logFile ? ` (its log: ${options.logFile})` : '';
    throw new CarepathError('dev-server-failed', `the Temporal dev server did not start: ${(err as Error).message}${where}`);
  }
  return {
    address: `${options.ip}:${options.port}`,
    uiUrl,
    setCodecApi: (address) => front?.setApi(address),
    pid: child.pid!,
    stop: async () => {
      await front?.stop();
      await stopChild(child, pidFile);
    },
  };
}

async function stopChild(child: ChildProcess, pidFile: string | null): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await done;
    clearTimeout(timer);
  }
  if (pidFile) rmSync(pidFile, { force: true });
}

async function stopLeftover(pidFile: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  rmSync(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 0 || !isTemporalDevServer(pid)) return;
  process.stderr.write(`carepath: stopping a Temporal dev server left running by an earlier start (pid ${pid})\n`);
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && isAlive(pid)) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

function isTemporalDevServer(pid: number): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('start-dev');
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
