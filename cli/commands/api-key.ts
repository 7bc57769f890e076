/**
 * `carepath api-key create --role butler --name 王管家 [--butler-id b1]`: creates an API key and
 * prints it once (only its hash is stored). `carepath api-key list` shows the clients,
 * `carepath api-key revoke <client id>` revokes one. Uses DATABASE_URL, else the embedded database
 * under the data directory (which only one process may open: stop `carepath start` first, or
 * create keys through the API with an admin key: POST /v1/api-clients).
 */
import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createApiClient } from '../../api/auth/api-keys.ts';
import { ROLES } from '../../api/auth/roles.ts';
import { CarepathError } from '../../errors/carepath-error.ts';
import { loadConfig } from '../../config/load-config.ts';
import { openDatabase } from '../../db/connect.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { listApiClients, revokeApiClient } from '../../db/repositories/api-clients.ts';
import { appendAudit } from '../../db/repositories/audit-log.ts';

const USAGE = `usage: carepath api-key create --role <${ROLES.join('|')}> --name <name> [--butler-id <id>]
       carepath api-key list
       carepath api-key revoke <client id>`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { role: { type: 'string' }, name: { type: 'string' }, 'butler-id': { type: 'string' } },
    allowPositionals: true,
  });
  const [action, ...rest] = positionals;
  if (!action || !['create', 'list', 'revoke'].includes(action)) throw new CarepathError('usage', USAGE);
  const config = loadConfig();
  if (!config.databaseUrl) refuseWhileEmbeddedDatabaseInUse(config.dataDir, config.temporal.devServer.dbFile);
  const database = await openDatabase({ url: config.databaseUrl, embeddedDir: path.join(config.dataDir, 'pglite') });
  try {
    await migrateToLatest(database.db);
    switch (action) {
      case 'create': {
        if (!values.role || !values.name) throw new CarepathError('usage', USAGE);
        const { client, key } = await createApiClient(database.db, {
          name: values.name,
          role: values.role,
          butlerId: values['butler-id'] ?? null,
          createdBy: 'cli',
        });
        await appendAudit(database.db, {
          ...byCli(),
          action: 'api-client.create',
          resourceType: 'api-client',
          resourceId: client.id,
          details: { role: client.role, butlerId: client.butler_id },
        });
        process.stderr.write(
          `created API client ${client.id} (${client.name}, role ${client.role}${client.butler_id ? `, butler ${client.butler_id}` : ''}); the key is shown only now:\n`,
        );
        process.stdout.write(`${key}\n`);
        return 0;
      }
      case 'list':
        await appendAudit(database.db, { ...byCli(), action: 'api-client.list', resourceType: 'api-client', resourceId: null });
        for (const c of await listApiClients(database.db)) {
          console.log(
            [c.id, c.role, c.butler_id ?? '-', `${c.key_prefix}…`, c.revoked_at ? `revoked ${c.revoked_at.toISOString()}` : 'active', c.name].join('\t'),
          );
        }
        return 0;
      default: {
        const id = rest[0];
        if (!id) throw new CarepathError('usage', USAGE);
        await database.db.transaction().execute(async (trx) => {
          if (!(await revokeApiClient(trx, id, new Date().toISOString()))) throw new CarepathError('not-found', `no active API client ${id}`);
          await appendAudit(trx, { ...byCli(), action: 'api-client.revoke', resourceType: 'api-client', resourceId: id });
        });
        process.stderr.write(`revoked ${id}\n`);
        return 0;
      }
    }
  } finally {
    await database.close();
  }
}

/** The embedded PGlite database belongs to one process; a running platform holds it. */
function refuseWhileEmbeddedDatabaseInUse(dataDir: string, devServerDbFile: string): void {
  const pidFile = `${devServerDbFile}.pid`;
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  try {
    if (Number.isInteger(pid) && pid > 0) process.kill(pid, 0);
    else return;
  } catch {
    return;
  }
  throw new CarepathError(
    'database-in-use',
    `a running \`carepath start\` holds the embedded database in ${dataDir}: stop it first, or create the key through the API with an admin key (POST /v1/api-clients, see docs/api.md)`,
  );
}

/** Who the audit log names for a key managed from the command line: the operating-system account. */
function byCli() {
  return { actor: `cli:${userInfo().username}`, actorRole: 'cli', sourceIp: null };
}
