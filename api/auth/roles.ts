/** The roles an API key may carry. */
export const ROLES = ['coordinator', 'butler', 'doctor', 'ops', 'integrator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: resolved from the bearer key. */
export interface Principal {
  /** The API client's id (`cl_…`). */
  clientId: string;
  name: string;
  role: Role;
  /** For butlers: the butler id on their patients' enrolments and tasks. */
  butlerId: string | null;
}

/** The id recorded as `by` in journeys and tasks and as the actor in the audit log. */
export function actorId(principal: Principal): string {
  return principal.butlerId ?? principal.clientId;
}

/** Who may do what. Butlers are further limited to their own patients by the routes. */
export const PERMISSIONS = {
  createEnrollment: ['coordinator', 'integrator', 'admin'],
  readEnrollment: ['coordinator', 'butler', 'doctor', 'ops', 'integrator', 'admin'],
  /** Decrypted name and phone in an enrolment's view. */
  readIdentity: ['coordinator', 'butler', 'doctor', 'admin'],
  /** Correcting a patient's stored identity (its own route, audited with the fields changed). */
  updateIdentity: ['coordinator', 'admin'],
  /**
   * The pseudonym (`patientRef`, and the workflow id that contains it) that links a patient's
   * enrolments. Not for an integrator, who submits identities without reading them: with it, a
   * phone number could be linked to a known patient and her other programs.
   */
  readPatientRef: ['coordinator', 'butler', 'doctor', 'ops', 'admin'],
  recordEvent: ['coordinator', 'butler', 'doctor', 'integrator', 'admin'],
  setAnchor: ['coordinator', 'butler', 'doctor', 'admin'],
  submitReading: ['coordinator', 'butler', 'doctor', 'integrator', 'admin'],
  submitAnswers: ['coordinator', 'butler', 'integrator', 'admin'],
  /** Consultations given, green-channel visits arranged (the internet hospital integrates too). */
  useEntitlement: ['coordinator', 'butler', 'doctor', 'integrator', 'admin'],
  readTasks: ['coordinator', 'butler', 'doctor', 'ops', 'admin'],
  completeTask: ['coordinator', 'butler', 'doctor', 'admin'],
  /** Approval steps: only a doctor approves. */
  approve: ['doctor'],
  // A butler hands a butler's task of their own patients to another butler only (api/routes/tasks.ts).
  reassignTask: ['coordinator', 'butler', 'admin'],
  readPathways: ['coordinator', 'butler', 'doctor', 'ops', 'integrator', 'admin'],
  publishPathway: ['coordinator', 'admin'],
  createInquiry: ['coordinator', 'butler', 'integrator', 'admin'],
  readInquiry: ['coordinator', 'butler', 'doctor', 'admin'],
  /** Patients' messages whose sender was not certain (kept without text): someone must look them up in the provider's console. */
  readUnattachedMessages: ['coordinator', 'admin'],
  readReports: ['coordinator', 'ops', 'admin'],
  readMetrics: ['ops', 'admin'],
  manageClients: ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

/** Whether the role holds the permission (for what a route shows, beyond whom it admits). */
export function may(principal: Pick<Principal, 'role'>, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly string[]).includes(principal.role);
}
