// Authentication (bearer API keys), roles and the per-route guard.
export { API_KEY_PREFIX, createApiClient, generateApiKey, hashApiKey } from './api-keys.ts';
export { createAuthenticator, type Authenticator } from './authenticate.ts';
export { createGuard, principalOf, type Guard } from './guard.ts';
export { actorId, PERMISSIONS, ROLES, type Permission, type Principal, type Role } from './roles.ts';
