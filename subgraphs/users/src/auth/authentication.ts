import { type AccessTokenSigner, requireViewer, signAccessToken, type Viewer } from "@storefront/auth";
import { ErrorCode } from "@storefront/errors";
import type { UserRecord } from "../data/records.ts";
import type { SessionStore } from "../data/session-store.ts";
import { type ClientThrottle, type CredentialThrottle, rateLimitedError, Throttled } from "../data/throttles.ts";
import type { UserStore } from "../data/user-store.ts";
import { normalizeEmail, normalizePassword, validEmail, validName, validNewPassword } from "../domain/credentials.ts";
import { hashPassword, needsRehash, verifyAgainstNoAccount, verifyPassword } from "./passwords.ts";
import { hashRefreshToken, looksLikeRefreshToken, newRefreshToken } from "./refresh-tokens.ts";
import type { KeyRing } from "./signing-keys.ts";

export interface AuthenticationSettings {
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
}

/** A signed-in session as the API hands it out (the AuthPayload type). */
export interface AuthPayload {
  readonly accessToken: string;
  readonly accessTokenExpiresAt: Date;
  readonly refreshToken: string;
  readonly refreshTokenExpiresAt: Date;
  readonly user: UserRecord;
}

export interface AuthenticationDeps {
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly keys: KeyRing;
  /** Failed sign-ins (and current-password checks), by account and client address. */
  readonly logins: CredentialThrottle;
  /** Sign-ups per client address. */
  readonly signups: ClientThrottle;
  readonly settings: AuthenticationSettings;
}

const invalidCredentials = () => ErrorCode.UNAUTHENTICATED.err("The e-mail address or the password is wrong.");

/** Runs a throttle's step, answering a refusal with RATE_LIMITED and when to retry. */
async function throttled(what: string, step: Promise<void>): Promise<void> {
  try {
    await step;
  } catch (error) {
    throw error instanceof Throttled ? rateLimitedError(what, error) : error;
  }
}
const tooManySignIns = "Too many failed sign-ins";

const invalidRefreshToken = () =>
  ErrorCode.UNAUTHENTICATED.err("The refresh token is not valid (expired, signed out, or already used); sign in again.");

/** Accounts and sessions: registration, sign-in, refresh-token rotation, sign-out, password changes. */
export function createAuthentication({ users, sessions, keys, logins, signups, settings }: AuthenticationDeps) {
  /** The payload for a user: a new access token next to the given refresh token. */
  async function tokensFor(user: UserRecord, refresh: { token: string; expiresAt: Date }, signer: AccessTokenSigner): Promise<AuthPayload> {
    const access = await signAccessToken({ userId: user.id, role: user.role }, signer, { ttlSeconds: settings.accessTokenTtlSeconds });
    return {
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt,
      refreshToken: refresh.token,
      refreshTokenExpiresAt: refresh.expiresAt,
      user,
    };
  }

  const nextRefreshToken = () => ({ ...newRefreshToken(), expiresAt: new Date(Date.now() + settings.refreshTokenTtlSeconds * 1000) });

  async function startSession(user: UserRecord): Promise<AuthPayload> {
    const refresh = nextRefreshToken();
    // Sign first: a failure to sign leaves no session behind.
    const payload = await tokensFor(user, refresh, await keys.signer());
    await sessions.start(user.id, { tokenHash: refresh.tokenHash, expiresAt: refresh.expiresAt });
    return payload;
  }

  return {
    /** Counted per client address whatever its outcome: each attempt costs a password hash and may probe for an address. */
    async register(input: { email: string; password: string; name: string }, client: string | null): Promise<AuthPayload> {
      await throttled("Too many sign-ups from this address", signups.take(client));
      const email = validEmail(input.email, "input.email");
      const password = validNewPassword(input.password, email, "input.password");
      const name = validName(input.name, "input.name");
      const user = await users.createCustomer({ email, name, passwordHash: await hashPassword(password) });
      if (!user) {
        throw ErrorCode.CONFLICT.err("An account with this e-mail address already exists; sign in instead.", {
          extensions: { argument: "input.email" },
        });
      }
      return startSession(user);
    },

    /**
     * Checks the credentials. Unknown address and wrong password fail alike and take as long:
     * an unknown address is checked against a throw-away hash.
     */
    async login(input: { email: string; password: string }, client: string | null): Promise<AuthPayload> {
      const attempt = { subject: normalizeEmail(input.email), client };
      await throttled(tooManySignIns, logins.assertAllowed(attempt));
      const password = normalizePassword(input.password);
      const account = await users.credentialsByEmail(attempt.subject);
      const matches = account?.passwordHash ? await verifyPassword(password, account.passwordHash) : await verifyAgainstNoAccount(password);
      if (!account || !matches || !account.passwordHash) {
        await logins.recordFailure(attempt);
        throw invalidCredentials();
      }
      await logins.recordSuccess(attempt);
      if (needsRehash(account.passwordHash)) await users.upgradePasswordHash(account.user.id, await hashPassword(password));
      return startSession(account.user);
    },

    /** Rotates the refresh token; a second use of one ends its session. */
    async refresh(refreshToken: string): Promise<AuthPayload> {
      if (!looksLikeRefreshToken(refreshToken)) throw invalidRefreshToken();
      // Load the key before the rotation commits, so a database failure cannot leave the client
      // without the successor of a token it can no longer use.
      const signer = await keys.signer();
      const successor = nextRefreshToken();
      const outcome = await sessions.rotate(hashRefreshToken(refreshToken), {
        tokenHash: successor.tokenHash,
        expiresAt: successor.expiresAt,
      });
      if (outcome.kind !== "rotated") throw invalidRefreshToken();
      return tokensFor(outcome.user, successor, signer);
    },

    /** Ends the refresh token's session; false when there was no session still going. */
    logout(refreshToken: string): Promise<boolean> {
      return looksLikeRefreshToken(refreshToken) ? sessions.end(hashRefreshToken(refreshToken)) : Promise.resolve(false);
    },

    /**
     * Replaces the viewer's password after checking the current one (throttled like sign-ins, so a
     * stolen access token cannot be used to guess it), ends every session and starts a new one.
     */
    async changePassword(
      viewer: Viewer | null,
      input: { currentPassword: string; newPassword: string },
      client: string | null,
    ): Promise<AuthPayload> {
      const { userId } = requireViewer(viewer);
      const account = await users.credentialsById(userId);
      if (!account) throw ErrorCode.UNAUTHENTICATED.err("This account no longer exists.");
      const attempt = { subject: account.user.email, client };
      await throttled(tooManySignIns, logins.assertAllowed(attempt));
      const newPassword = validNewPassword(input.newPassword, account.user.email, "input.newPassword");
      const current = normalizePassword(input.currentPassword);
      const matches = account.passwordHash ? await verifyPassword(current, account.passwordHash) : await verifyAgainstNoAccount(current);
      if (!matches) {
        await logins.recordFailure(attempt);
        throw ErrorCode.BAD_USER_INPUT.err("The current password is wrong.", { extensions: { argument: "input.currentPassword" } });
      }
      await logins.recordSuccess(attempt);
      await users.replacePassword(userId, await hashPassword(newPassword));
      return startSession(account.user);
    },
  };
}

export type Authentication = ReturnType<typeof createAuthentication>;
