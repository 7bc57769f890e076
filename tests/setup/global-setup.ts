import type { TestProject } from 'vitest/node';
import { startDevServer, type RunningDevServer } from '../../infra/dev-server.ts';
import { ensureLocalPostgres } from '../../infra/local-postgres.ts';
import { freePort } from '../../infra/ports.ts';
import { stderrProgress } from '../../infra/progress.ts';
import { ensureTemporalCli } from '../../infra/temporal-cli.ts';
import { ensureTestServer } from '../../infra/test-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** host:port of a Temporal dev server started for this test run (in-memory, headless). */
    temporalAddress: string;
    /** Launcher of the Java time-skipping test server, for TestWorkflowEnvironment.createTimeSkipping. */
    testServerPath: string;
    /** A superuser URL of the machine's PostgreSQL; tests create throwaway databases with it. */
    postgresUrl: string;
  }
}

let devServer: RunningDevServer | undefined;

/** Provisions and starts the real servers the integration tests use; stops them afterwards. */
export async function setup(project: TestProject): Promise<void> {
  const [cli, testServer, postgresUrl] = await Promise.all([
    ensureTemporalCli(stderrProgress),
    ensureTestServer(stderrProgress),
    ensureLocalPostgres(stderrProgress),
  ]);
  devServer = await startDevServer({
    cliPath: cli.path,
    ip: '127.0.0.1',
    port: await freePort(),
    uiPort: null,
    namespace: 'default',
    dbFile: null,
    logLevel: 'error',
    logFile: null,
  });
  project.provide('temporalAddress', devServer.address);
  project.provide('testServerPath', testServer.path);
  project.provide('postgresUrl', postgresUrl);
}

export async function teardown(): Promise<void> {
  await devServer?.stop();
}
