// Who is signed in (GET /v1/session), and what their role may do: the permission table the API
// enforces on every route, so that a page shows only what its reader may use.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, onSessionExpired } from './api.ts';
import { setHospitalZone } from './format.ts';
import type { Session } from './types.ts';

interface SessionState {
  /** undefined while loading, null when signed out. */
  session: Session | null | undefined;
  /** Why the last session ended (expired), for the sign-in page. */
  ended: 'expired' | null;
  signIn(apiKey: string): Promise<void>;
  signOut(): Promise<void>;
  can(permission: string): boolean;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSessionState] = useState<Session | null | undefined>(undefined);
  // The zone is set before the pages render with the session, so no time is shown in another.
  const setSession = useCallback((next: Session | null) => {
    setHospitalZone(next?.timeZone);
    setSessionState(next);
  }, []);
  const [ended, setEnded] = useState<'expired' | null>(null);

  useEffect(() => {
    api<Session>('/v1/session')
      .then(setSession)
      .catch((err: unknown) => {
        if (!(err instanceof ApiError && err.status === 401)) console.error(err);
        setSession(null);
      });
    return onSessionExpired(() => {
      setEnded('expired');
      setSession(null);
    });
  }, [setSession]);

  const signIn = useCallback(
    async (apiKey: string) => {
      setSession(await api<Session>('/v1/session', { method: 'POST', body: { apiKey } }));
      setEnded(null);
    },
    [setSession],
  );
  const signOut = useCallback(async () => {
    await api('/v1/session', { method: 'DELETE' });
    setSession(null);
  }, [setSession]);
  const value = useMemo<SessionState>(
    () => ({ session, ended, signIn, signOut, can: (permission) => session?.permissions.includes(permission) ?? false }),
    [session, ended, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
}
