// Authentication (bearer API keys), roles and the per-route guard.
export { createApiClient } from './api-keys.ts';
export { createAuthenticator } from './authenticate.ts';
export { createGuard, principalOf } from './guard.ts';
export { actorId, PERMISSIONS, ROLES } from './roles.ts';
