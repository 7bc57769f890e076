/**
 * `npm run deploy:local [-- --workers 2 --apis 2 --port 3000]`: the production-shaped local
 * deployment (Temporal server on PostgreSQL, several workers and API processes behind one port,
 * a fake gateway), running until Ctrl-C. State and logs in `.data/deployment/`.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { stderrProgress } from '../progress.ts';
import { startLocalDeployment } from './local-deployment.ts';

const { values } = parseArgs({
  options: { workers: { type: 'string', default: '2' }, apis: { type: 'string', default: '2' }, port: { type: 'string', default: '3000' } },
});
const deployment = await startLocalDeployment(
  { workers: Number(values.workers), apis: Number(values.apis), apiPort: Number(values.port), stateDir: path.resolve('.data', 'deployment') },
  stderrProgress,
);
console.log(`API ${deployment.apiUrl}  admin key ${deployment.adminKey}`);
console.log(`Temporal ${deployment.temporalAddress}  gateway ${deployment.gatewayUrl}/control/stats`);
const stop = async () => {
  await deployment.stop();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
