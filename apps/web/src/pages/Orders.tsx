import { Link } from "react-router";
import { useQuery } from "urql";
import { OrderSummary } from "../components/OrderDetails.tsx";
import { Empty, Loading, LoadMore, usePageTitle } from "../components/ui.tsx";
import { ErrorMessage } from "../errors.tsx";
import { graphql } from "../gql/index.ts";
import { useMorePages } from "../pagination.ts";

const MyOrdersQuery = graphql(`
  query MyOrders($first: Int!, $after: String) {
    me {
      id
      orders(first: $first, after: $after) {
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
            items {
              productName
              quantity
            }
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

// A first order appears in a list that had no Order in it yet.
const ordersContext = { additionalTypenames: ["Order"] };
const variables = { first: 10 };

export function OrdersPage() {
  usePageTitle("Your orders");
  const [{ data, fetching, error }] = useQuery({
    query: MyOrdersQuery,
    variables,
    context: ordersContext,
    requestPolicy: "cache-and-network",
  });
  const pages = useMorePages({ query: MyOrdersQuery, variables, firstPage: data?.me.orders, connectionOf: (more) => more.me.orders });
  if (!data) return fetching ? <Loading label="Loading your orders" /> : <ErrorMessage error={error} />;
  return (
    <>
      <h1>Your orders</h1>
      <ErrorMessage error={error} />
      {pages.edges.length === 0 ? (
        <Empty>
          <p>You have not ordered anything yet.</p>
          <p>
            <Link to="/">Browse the catalogue</Link>
          </p>
        </Empty>
      ) : (
        <ul className="order-list">
          {pages.edges.map(({ node: order }) => (
            <li key={order.id}>
              <OrderSummary to={`/orders/${order.id}`} order={order} />
              <p className="items">{order.items.map((item) => `${item.quantity} × ${item.productName}`).join(", ")}</p>
            </li>
          ))}
        </ul>
      )}
      <ErrorMessage error={pages.error} />
      <LoadMore pages={pages} />
    </>
  );
}
