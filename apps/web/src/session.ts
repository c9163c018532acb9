// The signed-in session: tokens and who is signed in, kept in localStorage so a reload or a new tab stays signed in.
// Script injected into the page could read them there, the trade-off of a browser app without a backend of its own:
// access tokens live minutes, a refresh token used twice ends its session, and the CSP admits only the app's scripts.

export interface SessionUser {
  readonly id: string;
  readonly name: string;
  readonly role: "CUSTOMER" | "ADMIN";
}

export interface Session {
  readonly accessToken: string;
  /** ISO date-time; the app refreshes shortly before it. */
  readonly accessTokenExpiresAt: string;
  readonly refreshToken: string;
  readonly user: SessionUser;
}

const storageKey = "storefront.session";

function isSession(value: unknown): value is Session {
  const session = value as Partial<Session> | null;
  return (
    typeof session?.accessToken === "string" &&
    typeof session.refreshToken === "string" &&
    typeof session.accessTokenExpiresAt === "string" &&
    typeof session.user?.id === "string"
  );
}

/** The session and its changes; React reads it with useSyncExternalStore, the GraphQL client's auth exchange directly. */
export function createSessionStore(storage: Storage = window.localStorage) {
  const read = (): Session | null => {
    try {
      const value: unknown = JSON.parse(storage.getItem(storageKey) ?? "null");
      return isSession(value) ? value : null;
    } catch {
      return null;
    }
  };
  let current = read();
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of listeners) listener();
  };
  // Signing in or out in another tab does the same here.
  window.addEventListener("storage", (event) => {
    if (event.key !== storageKey) return;
    current = read();
    notify();
  });

  return {
    get: (): Session | null => current,
    set(session: Session): void {
      current = session;
      storage.setItem(storageKey, JSON.stringify(session));
      notify();
    },
    clear(): void {
      current = null;
      storage.removeItem(storageKey);
      notify();
    },
    subscribe(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
