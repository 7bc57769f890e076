import { homedir } from 'node:os';
import path from 'node:path';

/**
 * Where downloaded and built tools live: outside git, shared by every clone on the machine.
 * CAREPATH_CACHE_DIR wins, then $XDG_CACHE_HOME/carepath, then ~/.cache/carepath.
 */
export function cacheDir(env: Record<string, string | undefined> = process.env): string {
  if (env.CAREPATH_CACHE_DIR) return path.resolve(env.CAREPATH_CACHE_DIR);
  const base = env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  return path.join(base, 'carepath');
}
