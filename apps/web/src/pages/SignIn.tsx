import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { useMutation } from "urql";
import { RegisterMutation, SignInMutation, sessionOf } from "../auth.ts";
import { usePageTitle } from "../components/ui.tsx";
import { ErrorMessage } from "../errors.tsx";
import { useSession, useSessionStore } from "../shop.tsx";

/** Where to go after signing in: the page that sent the visitor here, if it is one of ours. */
function useNext(): string {
  const [params] = useSearchParams();
  const next = params.get("next") ?? "/";
  return next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export function SignInPage() {
  usePageTitle("Sign in");
  const next = useNext();
  const navigate = useNavigate();
  const sessions = useSessionStore();
  const session = useSession();
  const [{ fetching, error }, signIn] = useMutation(SignInMutation);
  if (session) return <Navigate to={next} replace />;
  return (
    <div className="narrow">
      <h1>Sign in</h1>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          const form = new FormData(event.currentTarget);
          const result = await signIn({ input: { email: String(form.get("email")), password: String(form.get("password")) } });
          if (result.data) {
            sessions.set(sessionOf(result.data.login));
            navigate(next, { replace: true });
          }
        }}
      >
        <label htmlFor="email">E-mail address</label>
        <input id="email" name="email" type="email" autoComplete="username" required />
        <label htmlFor="password">Password</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required />
        <ErrorMessage error={error} texts={{ UNAUTHENTICATED: "That e-mail address and password do not match an account." }} />
        <button type="submit" className="primary" disabled={fetching}>
          {fetching ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <p>
        New here? <Link to={`/signup${next === "/" ? "" : `?next=${encodeURIComponent(next)}`}`}>Create an account</Link>
      </p>
    </div>
  );
}

export function SignUpPage() {
  usePageTitle("Create an account");
  const next = useNext();
  const navigate = useNavigate();
  const sessions = useSessionStore();
  const session = useSession();
  const [{ fetching, error }, register] = useMutation(RegisterMutation);
  if (session) return <Navigate to={next} replace />;
  return (
    <div className="narrow">
      <h1>Create an account</h1>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          const form = new FormData(event.currentTarget);
          const result = await register({
            input: { name: String(form.get("name")), email: String(form.get("email")), password: String(form.get("password")) },
          });
          if (result.data) {
            sessions.set(sessionOf(result.data.register));
            navigate(next, { replace: true });
          }
        }}
      >
        <label htmlFor="name">Your name</label>
        <input id="name" name="name" autoComplete="name" required maxLength={100} />
        <label htmlFor="email">E-mail address</label>
        <input id="email" name="email" type="email" autoComplete="email" required />
        <label htmlFor="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={10}
          maxLength={200}
          aria-describedby="password-hint"
        />
        <p id="password-hint" className="hint">
          At least 10 characters; a few words you will remember do well.
        </p>
        <ErrorMessage error={error} texts={{ CONFLICT: "An account with this e-mail address exists already. Sign in instead." }} />
        <button type="submit" className="primary" disabled={fetching}>
          {fetching ? "Creating your account…" : "Create account"}
        </button>
      </form>
      <p>
        Have an account? <Link to="/signin">Sign in</Link>
      </p>
    </div>
  );
}
