// The app's providers: the session and a GraphQL client for whoever is signed in.
import { createContext, use, useCallback, useMemo, useSyncExternalStore } from "react";
import { Provider as UrqlProvider, useMutation } from "urql";
import { SignOutMutation } from "./auth.ts";
import { createShopClient } from "./client.ts";
import type { AppConfig } from "./config.ts";
import type { Session, SessionStore } from "./session.ts";

const SessionContext = createContext<SessionStore | null>(null);

export function ShopProvider(props: { readonly config: AppConfig; readonly sessions: SessionStore; readonly children: React.ReactNode }) {
  const { config, sessions } = props;
  const userId = useSyncExternalStore(sessions.subscribe, () => sessions.get()?.user.id);
  // A new client (and so an empty cache) per signed-in user: nothing one account fetched is shown to the next.
  // biome-ignore lint/correctness/useExhaustiveDependencies: userId is the reason to make a new client
  const client = useMemo(() => createShopClient(config, sessions), [config, sessions, userId]);
  return (
    <SessionContext value={sessions}>
      <UrqlProvider value={client}>{props.children}</UrqlProvider>
    </SessionContext>
  );
}

export function useSessionStore(): SessionStore {
  const sessions = use(SessionContext);
  if (!sessions) throw new Error("useSessionStore outside <ShopProvider>");
  return sessions;
}

/** The signed-in session, or null; re-renders when someone signs in or out. */
export function useSession(): Session | null {
  const sessions = useSessionStore();
  return useSyncExternalStore(sessions.subscribe, sessions.get);
}

/** Ends the session at the server (its refresh token stops working) and here. */
export function useSignOut(): () => Promise<void> {
  const sessions = useSessionStore();
  const [, signOut] = useMutation(SignOutMutation);
  return useCallback(async () => {
    const session = sessions.get();
    if (session) await signOut({ refreshToken: session.refreshToken });
    sessions.clear();
  }, [sessions, signOut]);
}
