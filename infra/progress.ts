/** Progress lines of slow provisioning steps, written to stderr so stdout stays machine-readable. */
export type Progress = (line: string) => void;

export const stderrProgress: Progress = (line) => process.stderr.write(`carepath: ${line}\n`);
export const silentProgress: Progress = () => {};
