import { lazy, Suspense, useEffect, useRef } from "react";
import { Link, Navigate, NavLink, Route, Routes, useLocation, useNavigate } from "react-router";
import { useQuery } from "urql";
import { Loading } from "./components/ui.tsx";
import { graphql } from "./gql/index.ts";
import { CartPage } from "./pages/Cart.tsx";
import { CataloguePage } from "./pages/Catalogue.tsx";
import { CheckoutPage } from "./pages/Checkout.tsx";
import { NotFoundPage } from "./pages/NotFound.tsx";
import { OrderPage } from "./pages/Order.tsx";
import { OrdersPage } from "./pages/Orders.tsx";
import { ProductPage } from "./pages/Product.tsx";
import { SignInPage, SignUpPage } from "./pages/SignIn.tsx";
import { useSession, useSignOut } from "./shop.tsx";

// Customers never load the admin screens' code.
const AdminRoutes = lazy(() => import("./pages/admin/AdminRoutes.tsx"));

const CartCountQuery = graphql(`
  query CartCount {
    cart {
      id
      itemCount
    }
  }
`);

// Checking out and paying empty the cart (through events), so they make the count stale too.
const cartCountContext = { additionalTypenames: ["Order", "Payment"] };

function CartLink() {
  const [{ data }] = useQuery({ query: CartCountQuery, context: cartCountContext });
  const count = data?.cart.itemCount ?? 0;
  return <NavLink to="/cart">Cart{count > 0 && <span className="count"> ({count})</span>}</NavLink>;
}

function Header() {
  const session = useSession();
  const signOut = useSignOut();
  const navigate = useNavigate();
  return (
    <header className="site-header">
      <Link to="/" className="brand">
        Storefront
      </Link>
      <nav aria-label="Main">
        <ul className="nav-list">
          <li>
            <NavLink to="/" end>
              Catalogue
            </NavLink>
          </li>
          {session && (
            <>
              <li>
                <CartLink />
              </li>
              <li>
                <NavLink to="/orders">Orders</NavLink>
              </li>
            </>
          )}
          {session?.user.role === "ADMIN" && (
            <li>
              <NavLink to="/admin">Admin</NavLink>
            </li>
          )}
        </ul>
      </nav>
      <div className="account">
        {session ? (
          <>
            <span>
              Signed in as <strong>{session.user.name}</strong>
            </span>
            <button
              type="button"
              className="link-button"
              onClick={async () => {
                await signOut();
                navigate("/");
              }}
            >
              Sign out
            </button>
          </>
        ) : (
          <>
            <Link to="/signin">Sign in</Link>
            <Link to="/signup">Create account</Link>
          </>
        )}
      </div>
    </header>
  );
}

/** Pages of an account: signed-out visitors go to sign in first, and come back here after. */
function RequireSignIn({ children, adminOnly = false }: { readonly children: React.ReactNode; readonly adminOnly?: boolean }) {
  const session = useSession();
  const location = useLocation();
  if (!session) return <Navigate to={`/signin?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  if (adminOnly && session.user.role !== "ADMIN") return <NotFoundPage />;
  return children;
}

/** After a client-side navigation, focus moves to the new page's content, as a page load would put it at the top. */
function useFocusOnNavigation() {
  const main = useRef<HTMLElement>(null);
  const { pathname } = useLocation();
  const shown = useRef(pathname);
  useEffect(() => {
    if (shown.current === pathname) return;
    shown.current = pathname;
    main.current?.focus();
  }, [pathname]);
  return main;
}

export function App() {
  const main = useFocusOnNavigation();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header />
      <main id="main" ref={main} tabIndex={-1}>
        <Routes>
          <Route path="/" element={<CataloguePage />} />
          <Route path="/products/:id" element={<ProductPage />} />
          <Route path="/signin" element={<SignInPage />} />
          <Route path="/signup" element={<SignUpPage />} />
          <Route
            path="/cart"
            element={
              <RequireSignIn>
                <CartPage />
              </RequireSignIn>
            }
          />
          <Route
            path="/checkout"
            element={
              <RequireSignIn>
                <CheckoutPage />
              </RequireSignIn>
            }
          />
          <Route
            path="/orders"
            element={
              <RequireSignIn>
                <OrdersPage />
              </RequireSignIn>
            }
          />
          <Route
            path="/orders/:id"
            element={
              <RequireSignIn>
                <OrderPage />
              </RequireSignIn>
            }
          />
          <Route
            path="/admin/*"
            element={
              <RequireSignIn adminOnly>
                <Suspense fallback={<Loading label="Loading the admin area" />}>
                  <AdminRoutes />
                </Suspense>
              </RequireSignIn>
            }
          />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </main>
      <footer className="site-footer">
        <p>Storefront: a reference shop on one federated GraphQL API.</p>
      </footer>
    </>
  );
}
