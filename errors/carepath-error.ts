/**
 * Every error code the platform raises, with the HTTP status the API answers it with. A code
 * not listed here does not compile; a fault of the platform (a key that cannot decrypt, a
 * server that does not start) is a 5xx, never a client error.
 */
export const HTTP_STATUS_BY_CODE = {
  // The client's request
  'invalid-input': 422,
  // text that cannot be stored: a NUL character, an unpaired UTF-16 surrogate
  'invalid-text': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  // a path that exists, asked with a method it does not take (the answer's Allow header lists those it does)
  'method-not-allowed': 405,
  conflict: 409,
  // an enrolment's identity differs from the one on record for the same identifier
  'identity-mismatch': 409,
  'pathway-refused': 409,
  'rate-limited': 429,
  // a payload the Web UI sent to /codec that this key ring cannot open
  'invalid-payload': 400,
  'codec-decrypt-failed': 400,
  'codec-unknown-key': 400,
  // What the platform depends on
  unavailable: 503,
  'temporal-unreachable': 503,
  'database-unreachable': 503,
  // Command-line input (never answered over HTTP)
  usage: 400,
  'path-not-found': 400,
  'pathway-not-found': 400,
  'unknown-anchor': 400,
  'missing-anchor': 400,
  'unknown-event': 400,
  'unknown-variable': 400,
  'invalid-time': 400,
  'invalid-scenario': 400,
  'invalid-pathway': 400,
  'no-pathways': 400,
  // Configuration, provisioning and start-up
  'invalid-config': 500,
  'invalid-pathways': 500,
  'duplicate-pathway': 500,
  'migration-failed': 500,
  'search-attribute-clash': 500,
  'temporal-namespace-missing': 500,
  'dev-server-failed': 500,
  'port-in-use': 500,
  'database-in-use': 500,
  'search-attribute-registration-failed': 500,
  'temporal-cli-missing': 500,
  'temporal-cli-build-failed': 500,
  'test-server-missing': 500,
  'test-server-build-failed': 500,
  'wheel-fetch-failed': 500,
  'test-database-unreachable': 500,
  // Keys and payloads
  'codec-config-invalid': 500,
  'codec-key-id-missing': 500,
  'pathway-content-missing': 500,
  'codec-dev-key-unwritable': 500,
  'codec-dev-key-unreadable': 500,
  'identity-config-invalid': 500,
  'identity-unknown-key': 500,
  'identity-decrypt-failed': 500,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof HTTP_STATUS_BY_CODE;

/**
 * The one domain error type. `code` is a stable machine-readable reason; `message` is a single
 * line a person can act on; `details` carries structured context (never patient data).
 */
export class CarepathError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'CarepathError';
  }

  /** The HTTP status the API answers this error with. */
  get httpStatus(): number {
    return HTTP_STATUS_BY_CODE[this.code];
  }
}
