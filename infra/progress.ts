/** Progress lines of slow provisioning steps, written to stderr so stdout stays machine-readable. */
export type Progress = (line: string) => void;

export const stderrProgress: Progress = (line) => process.stderr.write(`carepath: ${line}\n`);
export const silentProgress: Progress = () => {};

/**
 * Runs a step of the start; when it takes longer than `afterMs` (2 s), says so while it runs and
 * how long it took, so that no start-up step is silent for more than two seconds. A step that
 * blocks the event loop (WebAssembly start-up) cannot be announced while it runs: it is still
 * reported with its time afterwards; announce such a step beforehand with `announce`.
 */
export async function slowStep<T>(progress: Progress, label: string, run: () => Promise<T> | T, afterMs = 2_000, announce = false): Promise<T> {
  const started = Date.now();
  let announced = announce;
  if (announce) progress(`${label}…`);
  const timer = setTimeout(() => {
    announced = true;
    progress(`${label}…`);
  }, afterMs);
  try {
    return await run();
  } finally {
    clearTimeout(timer);
    const elapsed = Date.now() - started;
    if (announced || elapsed >= afterMs) progress(`${label}: done in ${(elapsed / 1000).toFixed(1)} s`);
  }
}
