// Orders for the admin: every order newest first, those waiting to be shipped by default (Query.orders), an order's
// customer found by e-mail (User.orders), or an order opened by id.
import { Link, useNavigate, useSearchParams } from "react-router";
import { useQuery } from "urql";
import { formatDateTime, OrderStatusBadge, OrderSummary } from "../../components/OrderDetails.tsx";
import { Empty, Loading, LoadMore, Price, usePageTitle } from "../../components/ui.tsx";
import { ErrorMessage } from "../../errors.tsx";
import type { OrderStatus } from "../../gql/graphql.ts";
import { graphql } from "../../gql/index.ts";
import { useMorePages } from "../../pagination.ts";

const OrdersQuery = graphql(`
  query AdminOrders($first: Int!, $after: String, $filter: OrderFilter) {
    orders(first: $first, after: $after, filter: $filter) {
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
          customer {
            id
            name
            email
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

/** What the list shows, kept in the URL (?show=): the orders to ship first. */
const views: readonly { readonly value: string; readonly label: string; readonly statuses: readonly OrderStatus[] | null }[] = [
  { value: "to-ship", label: "Waiting to be shipped (paid)", statuses: ["PAID"] },
  { value: "shipped", label: "Shipped, not yet delivered", statuses: ["SHIPPED"] },
  { value: "unpaid", label: "Waiting for payment", statuses: ["PENDING_PAYMENT", "PAYMENT_FAILED"] },
  { value: "all", label: "Every order", statuses: null },
];

const viewOf = (value: string | null) => views.find((view) => view.value === value) ?? (views[0] as (typeof views)[number]);

function OrderTable({ statuses, caption }: { readonly statuses: readonly OrderStatus[] | null; readonly caption: string }) {
  const variables = { first: 20, ...(statuses && { filter: { status: [...statuses] } }) };
  const [{ data, fetching, error }] = useQuery({ query: OrdersQuery, variables, requestPolicy: "cache-and-network" });
  const pages = useMorePages({ query: OrdersQuery, variables, firstPage: data?.orders, connectionOf: (more) => more.orders });
  if (!data) return fetching ? <Loading label="Loading orders" /> : <ErrorMessage error={error} />;
  if (pages.edges.length === 0) return <Empty>No orders here.</Empty>;
  return (
    <>
      <p className="result-count" role="status">
        {data.orders.totalCount === 1 ? "1 order" : `${data.orders.totalCount} orders`}
      </p>
      <ErrorMessage error={error} />
      <table className="admin-table">
        <caption className="visually-hidden">{caption}, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Order</th>
            <th scope="col">Customer</th>
            <th scope="col">Status</th>
            <th scope="col">Total</th>
          </tr>
        </thead>
        <tbody>
          {pages.edges.map(({ node: order }) => (
            <tr key={order.id}>
              <td>
                <Link to={`/admin/orders/${order.id}`}>
                  Order of <time dateTime={order.createdAt}>{formatDateTime(order.createdAt)}</time>
                </Link>
              </td>
              <td>{order.customer ? `${order.customer.name} (${order.customer.email})` : "—"}</td>
              <td>
                <OrderStatusBadge status={order.status} />
              </td>
              <td>
                <Price money={order.total} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorMessage error={pages.error} />
      <LoadMore pages={pages} />
    </>
  );
}

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
                    <OrderSummary to={`/admin/orders/${order.id}`} order={order} />
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
      <LoadMore pages={pages} />
    </>
  );
}

export function AdminOrdersPage() {
  usePageTitle("Admin: orders");
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const email = params.get("email") ?? "";
  const view = viewOf(params.get("show"));
  return (
    <>
      <h1>Orders</h1>
      <div className="filters">
        <div>
          <label htmlFor="order-view">Show</label>
          <select id="order-view" value={email ? "" : view.value} onChange={(event) => setParams({ show: event.target.value })}>
            {email && <option value="">Orders of the customers found</option>}
            {views.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
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
      {email ? (
        <Customers key={email} emailPrefix={email} />
      ) : (
        <OrderTable key={view.value} statuses={view.statuses} caption={view.label} />
      )}
    </>
  );
}
