// The session's operations: sign up, sign in, refresh and sign out.
import { type FragmentType, getFragmentData, graphql } from "./gql/index.ts";
import type { Session } from "./session.ts";

export const SessionFields = graphql(`
  fragment Session_authPayload on AuthPayload {
    accessToken
    accessTokenExpiresAt
    refreshToken
    user {
      id
      name
      role
    }
  }
`);

export const SignInMutation = graphql(`
  mutation SignIn($input: LoginInput!) {
    login(input: $input) {
      ...Session_authPayload
    }
  }
`);

export const RegisterMutation = graphql(`
  mutation Register($input: RegisterInput!) {
    register(input: $input) {
      ...Session_authPayload
    }
  }
`);

export const RefreshMutation = graphql(`
  mutation Refresh($refreshToken: String!) {
    refresh(refreshToken: $refreshToken) {
      ...Session_authPayload
    }
  }
`);

export const SignOutMutation = graphql(`
  mutation SignOut($refreshToken: String!) {
    logout(refreshToken: $refreshToken)
  }
`);

/** The session an AuthPayload starts. */
export function sessionOf(payload: FragmentType<typeof SessionFields>): Session {
  const { accessToken, accessTokenExpiresAt, refreshToken, user } = getFragmentData(SessionFields, payload);
  return { accessToken, accessTokenExpiresAt, refreshToken, user };
}
