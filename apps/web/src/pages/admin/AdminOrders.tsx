// Orders for the admin. The API lists orders per customer (User.orders), so the admin finds an order through its
// customer (by e-mail) or opens it by id.
import { Link, useNavigate, useSearchParams } from "react-router";
import { useQuery } from "urql";
import { formatDateTime, OrderStatusBadge } from "../../components/OrderDetails.tsx";
import { Empty, Loading, Price, usePageTitle } from "../../components/ui.tsx";
import { ErrorMessage } from "../../errors.tsx";
import { graphql } from "../../gql/index.ts";
import { useMorePages } from "../../pagination.ts";

const CustomersQuery = graphql(`
  query AdminCustomers($first: Int!, $after: String, $filter: UserFilter) {
    users(first: $first, after: $after, filter: $filter) {
      totalCount
      edges {
        node {
          id
          name
          email
          orders(first: 5) {
            totalCount
            edges {
              node {
                id
                status
                createdAt
                total {
                  amount
                  currency
                }
              }
            }
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

function Customers({ emailPrefix }: { readonly emailPrefix: string }) {
  const variables = { first: 20, filter: { role: "CUSTOMER" as const, ...(emailPrefix && { emailPrefix }) } };
  const [{ data, fetching, error }] = useQuery({ query: CustomersQuery, variables, requestPolicy: "cache-and-network" });
  const pages = useMorePages({ query: CustomersQuery, variables, firstPage: data?.users, connectionOf: (more) => more.users });
  if (!data) return fetching ? <Loading label="Loading customers" /> : <ErrorMessage error={error} />;
  if (pages.edges.length === 0) return <Empty>No customer matches.</Empty>;
  return (
    <>
      <ErrorMessage error={error} />
      <ul className="customers">
        {pages.edges.map(({ node: customer }) => (
          <li key={customer.id}>
            <h2>
              {customer.name} <span className="email">{customer.email}</span>
            </h2>
            {customer.orders?.totalCount ? (
              <ul className="order-list">
                {customer.orders.edges.map(({ node: order }) => (
                  <li key={order.id}>
                    <Link to={`/admin/orders/${order.id}`}>
                      Order of <time dateTime={order.createdAt}>{formatDateTime(order.createdAt)}</time>
                    </Link>{" "}
                    <OrderStatusBadge status={order.status} /> <Price money={order.total} />
                  </li>
                ))}
                {customer.orders.totalCount > customer.orders.edges.length && (
                  <li>and {customer.orders.totalCount - customer.orders.edges.length} older orders</li>
                )}
              </ul>
            ) : (
              <p>No orders.</p>
            )}
          </li>
        ))}
      </ul>
      <ErrorMessage error={pages.error} />
      {pages.hasMore && (
        <button type="button" className="load-more" onClick={pages.loadMore} disabled={pages.fetching}>
          {pages.fetching ? "Loading…" : "Load more"}
        </button>
      )}
    </>
  );
}

export function AdminOrdersPage() {
  usePageTitle("Admin: orders");
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const email = params.get("email") ?? "";
  return (
    <>
      <h1>Orders</h1>
      <div className="filters">
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const id = String(new FormData(event.currentTarget).get("orderId")).trim();
            if (id) navigate(`/admin/orders/${id}`);
          }}
        >
          <label htmlFor="orderId">Order id</label>
          <div className="inline">
            <input id="orderId" name="orderId" required />
            <button type="submit">Open</button>
          </div>
        </form>
        <search>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              const prefix = String(new FormData(event.currentTarget).get("email")).trim();
              setParams(prefix ? { email: prefix } : {});
            }}
          >
            <label htmlFor="customer-email">Customers whose e-mail starts with</label>
            <div className="inline">
              <input id="customer-email" name="email" defaultValue={email} key={email} />
              <button type="submit">Find</button>
            </div>
          </form>
        </search>
      </div>
      <Customers key={email} emailPrefix={email} />
    </>
  );
}
