import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Worker } from '@temporalio/worker';
import { createActivities } from '../activities/index.ts';
import { buildServer } from '../api/server.ts';
import { channelsFromEnv, receiptTokensFrom, wechatServerFrom } from '../channels/registry.ts';
import { loadTemplateRenderer } from '../channels/templates.ts';
import { loadContent } from '../pathway/compiler/content.ts';
import type { AppConfig } from '../config/load-config.ts';
import { openDatabase, type OpenDatabase } from '../db/connect.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { startDevServer, type RunningDevServer } from '../infra/dev-server.ts';
import { slowStep, type Progress } from '../infra/progress.ts';
import { ensureTemporalCli } from '../infra/temporal-cli.ts';
import type { Logger } from '../logging/logger.ts';
import { connectClient, connectWorker } from '../temporal/connect.ts';
import { ensureSearchAttributes } from '../temporal/search-attributes.ts';
import { encryptingDataConverter, ensureDevKeyRing, loadKeyRing } from '../temporal/codec/index.ts';
import { loadPathwayRegistry } from '../pathway/registry.ts';
import { pathwayContents } from './pathway-contents.ts';
import { recordPathwayVersions } from './pathway-versions.ts';
import { applyPublications, watchPublications } from './pathway-publications.ts';
import { createWorker } from '../worker/create-worker.ts';
import { ensureWorkflowBundle } from '../worker/workflow-bundle.ts';
import { ensureConsoleBuild } from './console-build.ts';
import { CarepathError } from '../errors/carepath-error.ts';
import { DEFAULT_TEMPORAL_UI_ORIGIN } from '../api/app.ts';
import { bootstrapAdminKey } from '../api/auth/bootstrap.ts';
import { ensureDevIdentityKeys, loadIdentityKeys } from '../enrollment/identity/identity-keys.ts';
import { IdentityVault } from '../enrollment/identity/identity-vault.ts';
import { indexUnindexedContacts } from '../enrollment/identity/contact-index.ts';
import { patientDescriber } from '../enrollment/identity/patient-directory.ts';
import { recipientResolver } from '../enrollment/identity/recipient-resolver.ts';
import { AesGcmPayloadCodec } from '../temporal/codec/index.ts';

/** How soon an API process offers a pathway version another process published. */
const PUBLICATION_POLL_MS = 10_000;

/** What a process runs: everything (`carepath start`), only the worker, or only the API. */
export type PlatformRole = 'all' | 'worker' | 'api';

export interface RunningPlatform {
  /** null when only the worker runs. */
  apiUrl: string | null;
  /** The staff console's address; null when only the worker runs or it could not be built. */
  consoleUrl: string | null;
  temporalAddress: string;
  temporalUiUrl: string | null;
  database: string;
  /** Stops the API, then the worker, then closes connections and embedded servers. */
  stop(): Promise<void>;
}

/**
 * Brings the platform up in dependency order: Temporal (embedded dev server unless an address is
 * configured), search attributes, database and migrations, worker, API. On a failure, what was
 * already started is stopped again before the error propagates.
 */
export async function startPlatform(config: AppConfig, logger: Logger, progress: Progress, options: { role?: PlatformRole } = {}): Promise<RunningPlatform> {
  const role = options.role ?? 'all';
  if (role !== 'all' && (!config.temporal.address || !config.databaseUrl)) {
    throw new CarepathError(
      'invalid-config',
      `${role === 'worker' ? 'a worker' : 'an API'} on its own needs TEMPORAL_ADDRESS and DATABASE_URL: the embedded Temporal server and database belong to \`carepath start\``,
    );
  }
  // Built beside the rest of the start (a second or two, once after a change to console/).
  const consoleBuild = role === 'worker' ? null : ensureConsoleBuild(progress).catch((err: unknown) => err as Error);
  // Channels first: a provider without its credentials or approved templates stops the start before anything runs.
  const channels = role === 'api' ? new Map() : channelsFromEnv(config.env, logger, loadContent(config.contentDir).providerTemplates);
  const cleanups: (() => Promise<unknown>)[] = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (err) {
        logger.warn({ err }, 'error while stopping');
      }
    }
    cleanups.length = 0;
  };
  try {
    let devServer: RunningDevServer | null = null;
    let address = config.temporal.address;
    if (!address) {
      const cli = await ensureTemporalCli(progress);
      progress(`starting the Temporal dev server (${cli.source}: ${cli.path})…`);
      const { devServer: d } = config.temporal;
      devServer = await startDevServer({
        cliPath: cli.path,
        ip: d.ip,
        port: d.port,
        uiPort: d.uiPort,
        namespace: config.temporal.namespace,
        dbFile: d.dbFile,
        logLevel: d.logLevel,
        logFile: path.join(path.dirname(d.dbFile), 'dev-server.log'),
        // The Web UI decodes payloads through the API's codec endpoint, served on the UI's origin.
        uiCodec: true,
      });
      cleanups.push(() => devServer!.stop());
      address = devServer.address;
    }
    const temporal = { ...config.temporal, address };
    const keyRing = loadKeyRing(config.env) ?? (await ensureDevKeyRing(config.dataDir, logger));
    const identity = new IdentityVault(loadIdentityKeys(config.env) ?? (await ensureDevIdentityKeys(config.dataDir, logger)));

    const embeddedDir = path.join(config.dataDir, 'pglite');
    const creating = !config.databaseUrl && !existsSync(embeddedDir);
    const database: OpenDatabase = await slowStep(
      progress,
      creating ? `creating the embedded database in ${embeddedDir} (first start only; 4–6 s)` : 'opening the database',
      () => openDatabase({ url: config.databaseUrl, embeddedDir }),
      2_000,
      creating,
    );
    cleanups.push(() => database.close());
    const applied = await slowStep(progress, 'migrating the database (the first start creates every table)', () => migrateToLatest(database.db));
    if (applied.length > 0) logger.info({ applied }, 'applied database migrations');
    if (role !== 'worker') {
      // Patients stored before the contact index, so that a message they send finds them: in the
      // background (a large directory takes a while), and never a reason not to start.
      void indexUnindexedContacts(database.db, identity)
        .then(({ indexed, unreadable }) => {
          if (indexed > 0) logger.info({ indexed }, 'indexed the contact points of patients stored before the index');
          if (unreadable > 0)
            logger.warn({ unreadable }, 'identities that do not decrypt with the configured keys were not indexed: messages from them find no patient');
        })
        .catch((err: unknown) => logger.warn({ err }, 'indexing the contact points of earlier patients stopped; it resumes at the next start'));
    }
    const pathways = await slowStep(progress, `compiling the pathways in ${config.pathwaysDir}`, () => loadPathwayRegistry(config.pathwaysDir));
    const refused = await slowStep(progress, 'recording the pathway versions', () => recordPathwayVersions(database.db, pathways));
    for (const r of refused) progress(`not offering ${r.id} for new enrolments: ${r.reason}`);
    const published = await applyPublications(database.db, pathways);
    if (published.offered.length) logger.info({ published: published.offered }, 'offering pathway versions published to this platform after their files');
    logger.info({ pathways: pathways.list().map((p) => `${p.id}@${p.version}`), refused: refused.map((r) => r.id) }, 'pathways compiled');

    // Histories keep a reference to each journey's compiled pathway, resolved from these.
    const dataConverter = encryptingDataConverter(
      keyRing,
      pathwayContents(
        database.db,
        pathways.list().map((p) => pathways.get(p.id)!),
      ),
    );
    const { connection, client } = await slowStep(progress, `connecting to Temporal at ${address}`, () => connectClient(temporal, dataConverter));
    cleanups.push(() => connection.close());
    const added = await slowStep(progress, 'registering the search attributes', () =>
      ensureSearchAttributes(connection, temporal.namespace, temporal.searchAttributes),
    );
    if (added === null) logger.warn('this Temporal server cannot register search attributes (no operator API); journeys will not be indexed');
    else if (added.length > 0) logger.info({ added }, 'registered search attributes');

    if (role !== 'api') {
      const workflowBundle = await ensureWorkflowBundle(progress);
      const nativeConnection = await connectWorker(temporal);
      cleanups.push(() => nativeConnection.close());
      const worker: Worker = await createWorker({
        connection: nativeConnection,
        workflowBundle,
        namespace: temporal.namespace,
        taskQueue: temporal.taskQueue,
        dataConverter,
        ...(config.worker.maxCachedWorkflows !== null ? { maxCachedWorkflows: config.worker.maxCachedWorkflows } : {}),
        activities: createActivities({
          db: database.db,
          logger,
          channels,
          renderTemplate: loadTemplateRenderer(config.contentDir),
          describePatient: patientDescriber(database.db, identity),
          resolveRecipient: recipientResolver(database.db, identity),
        }),
      });
      const workerRun = worker.run();
      cleanups.push(async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await workerRun;
      });
      workerRun.catch((err) => logger.error({ err }, 'worker stopped with an error'));
    }

    if (role === 'worker') {
      return { apiUrl: null, consoleUrl: null, temporalAddress: address, temporalUiUrl: null, database: database.where, stop: stopAll };
    }
    const bootstrap = await bootstrapAdminKey(database.db, config.env);
    if (bootstrap?.kind === 'created' && bootstrap.key) progress(`created the first admin API key (shown only now; keep it safe): ${bootstrap.key}`);
    if (bootstrap?.kind === 'given-key-revoked') {
      logger.warn({ clientId: bootstrap.clientId }, 'CAREPATH_BOOTSTRAP_ADMIN_KEY names a revoked key: it stays revoked; unset the variable');
    }
    // Another API process may publish a pathway version: offer it here too, within a poll.
    const publications = watchPublications(database.db, pathways, {
      since: published.since,
      intervalMs: PUBLICATION_POLL_MS,
      onError: (err) => logger.warn({ err }, 'could not look for published pathway versions; trying again'),
      onOffered: (ids) => logger.info({ published: ids }, 'offering pathway versions published by another process'),
    });
    cleanups.push(async () => publications.stop());
    const built = await consoleBuild;
    if (built instanceof Error) logger.error({ err: built }, 'the staff console could not be built: the API runs without it');
    const server: FastifyInstance = await buildServer(
      {
        db: database.db,
        pathways,
        temporal: { connection, client, namespace: temporal.namespace, taskQueue: temporal.taskQueue },
        identity,
        renderTemplate: loadTemplateRenderer(config.contentDir),
        pathwayContentDir: config.contentDir,
        receiptTokens: receiptTokensFrom(config.env),
        wechatServer: wechatServerFrom(config.env),
        codec: { codec: new AesGcmPayloadCodec(keyRing), allowedOrigins: [config.api.temporalUiOrigin || devServer?.uiUrl || DEFAULT_TEMPORAL_UI_ORIGIN] },
        ...(built && !(built instanceof Error) ? { console: { dir: built.dir } } : {}),
        ...(config.api.rateLimitPerMinute !== null ? { limits: { rateLimitPerMinute: config.api.rateLimitPerMinute } } : {}),
      },
      logger,
      { trustProxy: config.api.trustProxy },
    );
    cleanups.push(() => server.close());
    await server.listen({ host: config.api.host, port: config.api.port });
    const { port } = server.server.address() as { port: number };
    devServer?.setCodecApi(`${loopbackFor(config.api.host)}:${port}`);

    return {
      apiUrl: `http://${config.api.host}:${port}`,
      consoleUrl: built && !(built instanceof Error) ? `http://${config.api.host}:${port}/console/` : null,
      temporalAddress: address,
      temporalUiUrl: devServer?.uiUrl ?? null,
      database: database.where,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** The address to reach a server that listens on `host` from this machine. */
function loopbackFor(host: string): string {
  return host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
}
