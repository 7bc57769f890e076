/**
 * The one domain error type. `code` is a stable machine-readable reason; `message` is a single
 * line a person can act on; `details` carries structured context (never patient data).
 */
export class CarepathError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'CarepathError';
  }
}
