import { spawn } from 'node:child_process';
import type { Progress } from './progress.ts';

// eslint-disable-next-line no-control-regex -- ANSI colour codes (ESC [ … m) in tool output
const ANSI_COLOUR = /\x1b\[[0-9;]*m/g;

/**
 * Runs a command to completion, forwarding each output line to `progress` (indented) and
 * keeping the last lines for the error message. Resolves with the exit code.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; progress: Progress },
): Promise<{ code: number; tail: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').replace(ANSI_COLOUR, '').split('\n')) {
        if (!line.trim()) continue;
        tail.push(line);
        if (tail.length > 20) tail.shift();
        options.progress(`  ${line}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, tail }));
  });
}
