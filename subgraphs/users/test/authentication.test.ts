import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createAccessTokenVerifier } from "@storefront/auth";
import { errorCodes, startTestSubgraph } from "@storefront/testkit";
import { hashRefreshToken } from "../src/auth/refresh-tokens.ts";
import { usersSubgraph } from "../src/index.ts";
import {
  AUTH_FIELDS,
  type AuthPayload,
  anEmail,
  as,
  aUser,
  jwksUrlOf,
  LOGIN,
  PASSWORD,
  REFRESH,
  REGISTER,
  type Users,
} from "./builders.ts";

const CHANGE_PASSWORD = `mutation($input: ChangePasswordInput!) { changePassword(input: $input) { ${AUTH_FIELDS} } }`;
const LOGOUT = "mutation($token: String!) { logout(refreshToken: $token) }";
const ME = "{ me { id email name role } }";

describe("accounts and sessions", () => {
  let users: Users;
  let verify: ReturnType<typeof createAccessTokenVerifier>;
  before(async () => {
    users = await startTestSubgraph(usersSubgraph);
    verify = createAccessTokenVerifier({ jwks: jwksUrlOf(users) });
  });
  after(() => users.close());

  const login = (email: string, password = PASSWORD) => users.execute<{ login: AuthPayload }>(LOGIN, { input: { email, password } });
  const refresh = (token: string) => users.execute<{ refresh: AuthPayload }>(REFRESH, { token });
  const familyOf = async (refreshToken: string) =>
    (await users.prisma.refreshToken.findUniqueOrThrow({ where: { tokenHash: hashRefreshToken(refreshToken) }, include: { family: true } }))
      .family;

  describe("register", () => {
    it("creates a customer and signs them in with tokens that verify against the JWKS", async () => {
      const email = anEmail("Reg");
      const { register } = await users.query<{ register: AuthPayload }>(REGISTER, {
        input: { email: `  ${email.toUpperCase()} `, password: PASSWORD, name: "  Robin  " },
      });

      assert.deepEqual(register.user, { id: register.user.id, email: email.toLowerCase(), name: "Robin", role: "CUSTOMER" });
      assert.deepEqual(await verify(register.accessToken), { userId: register.user.id, role: "CUSTOMER", scopes: [] });
      assert.match(register.refreshToken, /^[A-Za-z0-9_-]{43}$/);
      const stored = await users.prisma.user.findUniqueOrThrow({ where: { id: register.user.id } });
      assert.match(stored.passwordHash ?? "", /^\$scrypt\$ln=15,r=8,p=3\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
      assert.equal(stored.passwordHash?.includes(PASSWORD), false);
    });

    it("refuses an e-mail address that already has an account, in any letter case, with CONFLICT", async () => {
      const existing = await aUser(users.prisma);
      const result = await users.execute(REGISTER, { input: { email: existing.email.toUpperCase(), password: PASSWORD, name: "Twin" } });
      assert.deepEqual(errorCodes(result), ["CONFLICT"]);
      assert.equal(result.errors?.[0]?.extensions?.argument, "input.email");
      assert.equal(await users.prisma.user.count({ where: { email: existing.email } }), 1);
    });

    for (const [why, input, argument] of [
      ["a malformed e-mail address", { email: "not-an-address", password: PASSWORD, name: "Al" }, "input.email"],
      ["an e-mail address without a domain dot", { email: "al@localhost", password: PASSWORD, name: "Al" }, "input.email"],
      ["a password shorter than 10 characters", { email: anEmail(), password: "short-pw1", name: "Al" }, "input.password"],
      ["a password longer than 200 characters", { email: anEmail(), password: "x".repeat(201), name: "Al" }, "input.password"],
      [
        "the e-mail address as password",
        { email: "same-as-password@example.com", password: "Same-As-Password@example.com", name: "Al" },
        "input.password",
      ],
      ["an empty name", { email: anEmail(), password: PASSWORD, name: "   " }, "input.name"],
      ["a name longer than 100 characters", { email: anEmail(), password: PASSWORD, name: "n".repeat(101) }, "input.name"],
    ] as const) {
      it(`refuses ${why} with BAD_USER_INPUT naming the argument, and creates nothing`, async () => {
        const before = await users.prisma.user.count();
        const result = await users.execute(REGISTER, { input });
        assert.deepEqual(errorCodes(result), ["BAD_USER_INPUT"]);
        assert.equal(result.errors?.[0]?.extensions?.argument, argument);
        assert.equal(await users.prisma.user.count(), before);
      });
    }

    it("accepts a 10-character password and a 200-character one", async () => {
      for (const password of ["0123456789", "p".repeat(200)]) {
        const result = await users.execute(REGISTER, { input: { email: anEmail(), password, name: "Edge" } });
        assert.deepEqual(result.errors, undefined);
      }
    });
  });

  describe("login", () => {
    it("signs in with the right password, in any letter case of the e-mail address", async () => {
      const user = await aUser(users.prisma, { password: PASSWORD });
      const result = await login(user.email.toUpperCase());
      assert.deepEqual(result.errors, undefined);
      assert.equal(result.data?.login.user.id, user.id);
      assert.deepEqual(await verify(result.data?.login.accessToken ?? ""), { userId: user.id, role: "CUSTOMER", scopes: [] });
    });

    it("gives admins an access token with the admin scope", async () => {
      const admin = await aUser(users.prisma, { role: "ADMIN", password: PASSWORD });
      const result = await login(admin.email);
      assert.deepEqual(await verify(result.data?.login.accessToken ?? ""), { userId: admin.id, role: "ADMIN", scopes: ["admin"] });
    });

    it("answers an unknown e-mail address exactly like a wrong password", async () => {
      const user = await aUser(users.prisma, { password: PASSWORD });
      const wrongPassword = await login(user.email, "not the password at all");
      const unknownEmail = await login(anEmail("nobody"), PASSWORD);
      const noPassword = await login((await aUser(users.prisma)).email, PASSWORD);

      assert.deepEqual(errorCodes(wrongPassword), ["UNAUTHENTICATED"]);
      assert.deepEqual(unknownEmail.errors, wrongPassword.errors);
      assert.deepEqual(noPassword.errors, wrongPassword.errors);
      assert.equal(wrongPassword.data, null);
    });

    it("starts a new session per sign-in", async () => {
      const user = await aUser(users.prisma, { password: PASSWORD });
      const first = await login(user.email);
      const second = await login(user.email);
      assert.notEqual(
        (await familyOf(first.data?.login.refreshToken ?? "")).id,
        (await familyOf(second.data?.login.refreshToken ?? "")).id,
      );
    });

    it("stores a hash of the refresh token, never the token", async () => {
      const user = await aUser(users.prisma, { password: PASSWORD });
      const { data } = await login(user.email);
      const token = data?.login.refreshToken ?? "";
      const rows = await users.prisma.refreshToken.findMany({ where: { family: { userId: user.id } } });
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.tokenHash, hashRefreshToken(token));
      assert.notEqual(rows[0]?.tokenHash, token);
    });

    it("re-hashes a password stored with older scrypt parameters at the next sign-in", async () => {
      const { hashPassword } = await import("../src/auth/passwords.ts");
      const user = await aUser(users.prisma);
      const weak = await hashPassword(PASSWORD, { ln: 10, r: 8, p: 1 });
      await users.prisma.user.update({ where: { id: user.id }, data: { passwordHash: weak } });

      assert.deepEqual((await login(user.email)).errors, undefined);

      const stored = await users.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
      assert.match(stored.passwordHash ?? "", /^\$scrypt\$ln=15,r=8,p=3\$/);
      assert.deepEqual((await login(user.email)).errors, undefined);
    });
  });

  describe("refresh", () => {
    it("rotates: new tokens in the same session, and the old refresh token is marked used", async () => {
      const user = await aUser(users.prisma, { password: PASSWORD });
      const first = (await login(user.email)).data?.login;
      assert.ok(first);

      const result = await refresh(first.refreshToken);

      assert.deepEqual(result.errors, undefined);
      const next = result.data?.refresh;
      assert.ok(next);
      assert.notEqual(next.refreshToken, first.refreshToken);
      assert.equal(next.user.id, user.id);
      assert.deepEqual(await verify(next.accessToken), { userId: user.id, role: "CUSTOMER", scopes: [] });
      assert.equal((await familyOf(next.refreshToken)).id, (await familyOf(first.refreshToken)).id);
      const old = await users.prisma.refreshToken.findUniqueOrThrow({ where: { tokenHash: hashRefreshToken(first.refreshToken) } });
      assert.ok(old.usedAt);
    });

    it("treats a second use of a refresh token as theft: refused, and the whole session ends", async () => {
      const user = await aUser(users.prisma, { password: PASSWORD });
      const first = (await login(user.email)).data?.login;
      assert.ok(first);
      const second = (await refresh(first.refreshToken)).data?.refresh;
      assert.ok(second);

      const replay = await refresh(first.refreshToken);

      assert.deepEqual(errorCodes(replay), ["UNAUTHENTICATED"]);
      const family = await familyOf(first.refreshToken);
      assert.equal(family.endReason, "REUSE_DETECTED");
      // The legitimate holder's newest token is dead too: they must sign in again.
      assert.deepEqual(errorCodes(await refresh(second.refreshToken)), ["UNAUTHENTICATED"]);
    });

    it("lets only one of two concurrent exchanges of the same token win, and ends the session", async () => {
      const user = await aUser(users.prisma, { password: PASSWORD });
      const first = (await login(user.email)).data?.login;
      assert.ok(first);

      const results = await Promise.all([refresh(first.refreshToken), refresh(first.refreshToken)]);

      assert.deepEqual(results.map((r) => errorCodes(r).length).sort(), [0, 1]);
      assert.equal((await familyOf(first.refreshToken)).endReason, "REUSE_DETECTED");
    });

    it("refuses an expired refresh token without ending the session", async () => {
      const user = await aUser(users.prisma, { password: PASSWORD });
      const first = (await login(user.email)).data?.login;
      assert.ok(first);
      await users.prisma.refreshToken.update({
        where: { tokenHash: hashRefreshToken(first.refreshToken) },
        data: { createdAt: new Date(Date.now() - 120_000), expiresAt: new Date(Date.now() - 60_000) },
      });

      assert.deepEqual(errorCodes(await refresh(first.refreshToken)), ["UNAUTHENTICATED"]);
      assert.equal((await familyOf(first.refreshToken)).endedAt, null);
    });

    it("refuses unknown and malformed refresh tokens", async () => {
      assert.deepEqual(errorCodes(await refresh("A".repeat(43))), ["UNAUTHENTICATED"]);
      assert.deepEqual(errorCodes(await refresh("not a token")), ["UNAUTHENTICATED"]);
    });

    it("issues refresh tokens that expire after 30 days and access tokens after 15 minutes by default", async () => {
      const user = await aUser(users.prisma, { password: PASSWORD });
      const started = Date.now();
      const payload = (await login(user.email)).data?.login;
      assert.ok(payload);
      const accessLifetime = Date.parse(payload.accessTokenExpiresAt) - started;
      const refreshLifetime = Date.parse(payload.refreshTokenExpiresAt) - started;
      assert.ok(Math.abs(accessLifetime - 15 * 60_000) < 60_000, `access token lives ${accessLifetime} ms`);
      assert.ok(Math.abs(refreshLifetime - 30 * 86_400_000) < 60_000, `refresh token lives ${refreshLifetime} ms`);
    });
  });

  describe("logout", () => {
    it("ends the session: its refresh tokens stop working, other sessions go on", async () => {
      const user = await aUser(users.prisma, { password: PASSWORD });
      const phone = (await login(user.email)).data?.login;
      const laptop = (await login(user.email)).data?.login;
      assert.ok(phone && laptop);

      assert.deepEqual(await users.query(LOGOUT, { token: phone.refreshToken }), { logout: true });

      assert.deepEqual(errorCodes(await refresh(phone.refreshToken)), ["UNAUTHENTICATED"]);
      assert.equal((await familyOf(phone.refreshToken)).endReason, "LOGOUT");
      assert.deepEqual((await refresh(laptop.refreshToken)).errors, undefined);
    });

    it("ends the whole session even when given an older token of it", async () => {
      const user = await aUser(users.prisma, { password: PASSWORD });
      const first = (await login(user.email)).data?.login;
      assert.ok(first);
      const second = (await refresh(first.refreshToken)).data?.refresh;
      assert.ok(second);

      assert.deepEqual(await users.query(LOGOUT, { token: first.refreshToken }), { logout: true });
      assert.deepEqual(errorCodes(await refresh(second.refreshToken)), ["UNAUTHENTICATED"]);
    });

    it("answers false for a session that already ended or a token it does not know", async () => {
      const user = await aUser(users.prisma, { password: PASSWORD });
      const session = (await login(user.email)).data?.login;
      assert.ok(session);
      await users.query(LOGOUT, { token: session.refreshToken });

      assert.deepEqual(await users.query(LOGOUT, { token: session.refreshToken }), { logout: false });
      assert.deepEqual(await users.query(LOGOUT, { token: "B".repeat(43) }), { logout: false });
      assert.deepEqual(await users.query(LOGOUT, { token: "garbage" }), { logout: false });
    });
  });

  describe("changePassword", () => {
    const NEW_PASSWORD = "a much better passphrase";

    it("needs the current password, then ends every session and starts a new one", async () => {
      const user = await aUser(users.prisma, { password: PASSWORD });
      const other = (await login(user.email)).data?.login;
      assert.ok(other);

      const result = await users.execute<{ changePassword: AuthPayload }>(
        CHANGE_PASSWORD,
        { input: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD } },
        as(user),
      );

      assert.deepEqual(result.errors, undefined);
      const fresh = result.data?.changePassword;
      assert.ok(fresh);
      assert.deepEqual(errorCodes(await refresh(other.refreshToken)), ["UNAUTHENTICATED"]);
      assert.equal((await familyOf(other.refreshToken)).endReason, "PASSWORD_CHANGED");
      assert.deepEqual((await refresh(fresh.refreshToken)).errors, undefined);
      assert.deepEqual(errorCodes(await login(user.email, PASSWORD)), ["UNAUTHENTICATED"]);
      assert.deepEqual((await login(user.email, NEW_PASSWORD)).errors, undefined);
    });

    it("refuses a wrong current password with BAD_USER_INPUT and changes nothing", async () => {
      const user = await aUser(users.prisma, { password: PASSWORD });
      const session = (await login(user.email)).data?.login;
      assert.ok(session);

      const result = await users.execute(
        CHANGE_PASSWORD,
        { input: { currentPassword: "wrong password!", newPassword: NEW_PASSWORD } },
        as(user),
      );

      assert.deepEqual(errorCodes(result), ["BAD_USER_INPUT"]);
      assert.equal(result.errors?.[0]?.extensions?.argument, "input.currentPassword");
      assert.deepEqual((await login(user.email, PASSWORD)).errors, undefined);
      assert.deepEqual((await refresh(session.refreshToken)).errors, undefined);
    });

    it("refuses a new password that breaks the rules, naming it", async () => {
      const user = await aUser(users.prisma, { password: PASSWORD });
      for (const newPassword of ["too-short", user.email]) {
        const result = await users.execute(CHANGE_PASSWORD, { input: { currentPassword: PASSWORD, newPassword } }, as(user));
        assert.deepEqual(errorCodes(result), ["BAD_USER_INPUT"]);
        assert.equal(result.errors?.[0]?.extensions?.argument, "input.newPassword");
      }
      assert.deepEqual((await login(user.email, PASSWORD)).errors, undefined);
    });

    it("needs a signed-in user", async () => {
      const result = await users.execute(CHANGE_PASSWORD, { input: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD } });
      assert.deepEqual(errorCodes(result), ["UNAUTHENTICATED"]);
    });
  });

  describe("me and updateProfile", () => {
    it("answers me for the signed-in user and UNAUTHENTICATED for anonymous callers", async () => {
      const user = await aUser(users.prisma, { name: "Mo" });
      assert.deepEqual(await users.query(ME, {}, as(user)), { me: { id: user.id, email: user.email, name: "Mo", role: "CUSTOMER" } });
      assert.deepEqual(errorCodes(await users.execute(ME)), ["UNAUTHENTICATED"]);
    });

    it("renames the signed-in user only", async () => {
      const user = await aUser(users.prisma, { name: "Old" });
      const bystander = await aUser(users.prisma, { name: "Bystander" });
      const result = await users.query<{ updateProfile: { id: string; name: string } }>(
        "mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { id name } }",
        { input: { name: " New Name " } },
        as(user),
      );
      assert.deepEqual(result.updateProfile, { id: user.id, name: "New Name" });
      assert.equal((await users.prisma.user.findUniqueOrThrow({ where: { id: bystander.id } })).name, "Bystander");
    });

    it("refuses a bad name and anonymous callers", async () => {
      const user = await aUser(users.prisma, { name: "Kept" });
      const RENAME = "mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { name } }";
      const bad = await users.execute(RENAME, { input: { name: "bad\u0007name" } }, as(user));
      assert.deepEqual(errorCodes(bad), ["BAD_USER_INPUT"]);
      assert.equal(bad.errors?.[0]?.extensions?.argument, "input.name");
      assert.deepEqual(errorCodes(await users.execute(RENAME, { input: { name: "Anon" } })), ["UNAUTHENTICATED"]);
      assert.equal((await users.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).name, "Kept");
    });
  });
});
