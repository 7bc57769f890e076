// Authentication (bearer API keys), roles and the per-route guard.
export { createApiClient } from './api-keys.ts';
export { createAuthenticator } from './authenticate.ts';
export { createGuard, principalOf } from './guard.ts';
export { actorId, may, PERMISSIONS, ROLES } from './roles.ts';
