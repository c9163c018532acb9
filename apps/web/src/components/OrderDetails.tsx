// An order as its customer and the admin both see it: status, items, totals, address and history.
import { Link } from "react-router";
import type { OrderStatus, PaymentStatus } from "../gql/graphql.ts";
import { type FragmentType, getFragmentData, graphql } from "../gql/index.ts";
import type { Money } from "../money.ts";
import { Price } from "./ui.tsx";

export const OrderDetailsFields = graphql(`
  fragment OrderDetails_order on Order {
    total {
      amount
      currency
    }
    items {
      sku
      productName
      quantity
      unitPrice {
        amount
        currency
      }
      lineTotal {
        amount
        currency
      }
    }
    shippingAddress {
      recipientName
      line1
      line2
      city
      region
      postalCode
      countryCode
    }
    statusHistory {
      from
      to
      actor
      reason
      at
    }
  }
`);

/** Cancelling an order: its customer on the order page, or an admin. */
export const CancelOrderMutation = graphql(`
  mutation CancelOrder($id: ID!, $reason: String!) {
    cancelOrder(id: $id, reason: $reason) {
      id
      status
      canCancel
    }
  }
`);

export const orderStatusText: Readonly<Record<OrderStatus, string>> = {
  PENDING_PAYMENT: "Awaiting payment",
  PAYMENT_FAILED: "Payment failed",
  PAID: "Paid",
  SHIPPED: "Shipped",
  DELIVERED: "Delivered",
  CANCELLED: "Cancelled",
  REFUNDED: "Refunded",
};

/** An order's payment settles through events a moment after payOrder answers; until then its page polls. */
export function awaitingEvents(order: {
  readonly status: OrderStatus;
  readonly paymentStatus?: PaymentStatus | null;
  readonly amountDue?: unknown;
}): boolean {
  const unpaid = order.status === "PENDING_PAYMENT" || order.status === "PAYMENT_FAILED";
  // Payments has not recorded the placed order yet.
  if (unpaid && order.amountDue === null) return true;
  if (unpaid && (order.paymentStatus === "PAID" || order.paymentStatus === "PROCESSING" || order.paymentStatus === "AUTHORIZED"))
    return true;
  if (order.status === "PENDING_PAYMENT" && order.paymentStatus === "PAYMENT_FAILED") return true;
  // A paid order was cancelled: its refund is on its way.
  return order.status === "CANCELLED" && order.paymentStatus === "PAID";
}

export function OrderStatusBadge({ status }: { readonly status: OrderStatus }) {
  return (
    <span className={`badge status-${status.toLowerCase()}`} data-status={status}>
      {orderStatusText[status]}
    </span>
  );
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
export const formatDateTime = (iso: string) => dateTime.format(new Date(iso));

/** An order in a list: "Order of <when>" linking to `to`, then its status and total. */
export function OrderSummary(props: {
  readonly to: string;
  readonly order: { readonly createdAt: string; readonly status: OrderStatus; readonly total: Money };
}) {
  const { order } = props;
  return (
    <>
      <Link to={props.to}>
        Order of <time dateTime={order.createdAt}>{formatDateTime(order.createdAt)}</time>
      </Link>{" "}
      <OrderStatusBadge status={order.status} /> <Price money={order.total} />
    </>
  );
}

/** Who changed the status, in words: the customer, the shop's staff, or the shop itself reacting to an event. */
function actorText(actor: string, customerId: string | undefined): string {
  if (actor.startsWith("system:")) return `the shop (${actor.slice("system:".length)})`;
  return actor === customerId ? "the customer" : "staff";
}

export function OrderDetails(props: { readonly order: FragmentType<typeof OrderDetailsFields>; readonly customerId?: string }) {
  const order = getFragmentData(OrderDetailsFields, props.order);
  const address = order.shippingAddress;
  return (
    <div className="order-details">
      <section aria-labelledby="order-items">
        <h2 id="order-items">Items</h2>
        <table className="lines">
          <thead>
            <tr>
              <th scope="col">Product</th>
              <th scope="col">Unit price</th>
              <th scope="col">Quantity</th>
              <th scope="col">Total</th>
            </tr>
          </thead>
          <tbody>
            {order.items.map((item) => (
              <tr key={item.sku}>
                <td>{item.productName}</td>
                <td>
                  <Price money={item.unitPrice} />
                </td>
                <td>{item.quantity}</td>
                <td>
                  <Price money={item.lineTotal} />
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={3}>
                Total
              </th>
              <td>
                <Price money={order.total} />
              </td>
            </tr>
          </tfoot>
        </table>
      </section>
      {address && (
        <section aria-labelledby="order-address">
          <h2 id="order-address">Shipping to</h2>
          <address>
            {address.recipientName}
            <br />
            {address.line1}
            {address.line2 && (
              <>
                <br />
                {address.line2}
              </>
            )}
            <br />
            {address.postalCode} {address.city}
            {address.region && `, ${address.region}`}
            <br />
            {address.countryCode}
          </address>
        </section>
      )}
      <section aria-labelledby="order-history">
        <h2 id="order-history">History</h2>
        <ol className="history">
          {order.statusHistory.map((change) => (
            <li key={`${change.at}-${change.to}`}>
              <time dateTime={change.at}>{formatDateTime(change.at)}</time>: <OrderStatusBadge status={change.to} /> by{" "}
              {actorText(change.actor, props.customerId)}
              {change.reason && <span className="reason"> ({change.reason})</span>}
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
