// One order for the admin: ship it, mark it delivered, cancel it, refund its payments.
import { useEffect, useState } from "react";
import { Link, useParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { awaitingEvents, CancelOrderMutation, formatDateTime, OrderDetails, OrderStatusBadge } from "../../components/OrderDetails.tsx";
import { Loading, newIdempotencyKey, Price, usePageTitle } from "../../components/ui.tsx";
import { ErrorMessage } from "../../errors.tsx";
import { graphql } from "../../gql/index.ts";
import { parseMoney } from "../../money.ts";

const AdminOrderQuery = graphql(`
  query AdminOrder($id: ID!) {
    order(id: $id) {
      id
      status
      canCancel
      paymentStatus
      amountDue {
        amount
        currency
      }
      customer {
        id
        name
        email
      }
      payments {
        id
        status
        createdAt
        amount {
          amount
          currency
        }
        refundedAmount {
          amount
          currency
        }
        card {
          brand
          last4
        }
        auditTrail {
          id
          action
          detail
          createdAt
          amount {
            amount
            currency
          }
        }
      }
      ...OrderDetails_order
    }
  }
`);

const MarkShippedMutation = graphql(`
  mutation MarkShipped($id: ID!, $carrier: String!, $trackingNumber: String) {
    markShipped(id: $id, carrier: $carrier, trackingNumber: $trackingNumber) {
      id
      status
    }
  }
`);

const MarkDeliveredMutation = graphql(`
  mutation MarkDelivered($id: ID!) {
    markDelivered(id: $id) {
      id
      status
    }
  }
`);

const RefundMutation = graphql(`
  mutation RefundPayment($input: RefundPaymentInput!) {
    refundPayment(input: $input) {
      id
      amount {
        amount
        currency
      }
      payment {
        id
        refundedAmount {
          amount
          currency
        }
      }
    }
  }
`);

function ShipForm({ orderId }: { readonly orderId: string }) {
  const [{ fetching, error }, markShipped] = useMutation(MarkShippedMutation);
  return (
    <form
      className="ship-form"
      aria-labelledby="ship"
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        const trackingNumber = String(form.get("trackingNumber")).trim();
        void markShipped({ id: orderId, carrier: String(form.get("carrier")).trim(), trackingNumber: trackingNumber || null });
      }}
    >
      <h2 id="ship">Ship</h2>
      <div className="inline">
        <div>
          <label htmlFor="carrier">Carrier</label>
          <input id="carrier" name="carrier" required maxLength={100} />
        </div>
        <div>
          <label htmlFor="trackingNumber">Tracking number (optional)</label>
          <input id="trackingNumber" name="trackingNumber" maxLength={100} />
        </div>
      </div>
      <ErrorMessage error={error} />
      <button type="submit" className="primary" disabled={fetching}>
        Mark shipped
      </button>
    </form>
  );
}

function RefundForm({ paymentId, currency }: { readonly paymentId: string; readonly currency: string }) {
  const [{ fetching, error, data }, refundPayment] = useMutation(RefundMutation);
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);
  const [invalidAmount, setInvalidAmount] = useState(false);
  return (
    <form
      className="refund-form"
      onSubmit={async (event) => {
        event.preventDefault();
        const formElement = event.currentTarget;
        const form = new FormData(formElement);
        const text = String(form.get("amount")).trim();
        const amount = text ? parseMoney(text, currency) : null;
        setInvalidAmount(amount === null && text !== "");
        if (amount === null && text !== "") return;
        const result = await refundPayment({ input: { paymentId, idempotencyKey, amount, reason: String(form.get("reason")).trim() } });
        if (result.data || result.error?.graphQLErrors.length) setIdempotencyKey(newIdempotencyKey());
        if (result.data) formElement.reset();
      }}
    >
      <div className="inline">
        <div>
          <label htmlFor={`refund-amount-${paymentId}`}>Amount to refund ({currency})</label>
          <input id={`refund-amount-${paymentId}`} name="amount" inputMode="decimal" aria-describedby={`refund-hint-${paymentId}`} />
          <p id={`refund-hint-${paymentId}`} className="hint">
            Empty: everything not refunded yet.
          </p>
        </div>
        <div>
          <label htmlFor={`refund-reason-${paymentId}`}>Reason</label>
          <input id={`refund-reason-${paymentId}`} name="reason" required maxLength={500} />
        </div>
      </div>
      {invalidAmount && (
        <p className="error" role="alert">
          The amount must be like 10.00.
        </p>
      )}
      <ErrorMessage error={error} />
      {data && !error && (
        <p role="status" className="notice">
          Refunded <Price money={data.refundPayment.amount} />.
        </p>
      )}
      <button type="submit" disabled={fetching}>
        Refund
      </button>
    </form>
  );
}

export function AdminOrderPage() {
  const { id = "" } = useParams();
  usePageTitle("Admin: order");
  const [{ data, fetching, error, stale }, reexecute] = useQuery({ query: AdminOrderQuery, variables: { id } });
  const [delivering, markDelivered] = useMutation(MarkDeliveredMutation);
  const [cancelling, cancelOrder] = useMutation(CancelOrderMutation);
  const order = data?.order;
  const polling = !!order && awaitingEvents(order);
  useEffect(() => {
    if (!polling || fetching || stale) return;
    const timer = setTimeout(() => reexecute({ requestPolicy: "network-only" }), 1_000);
    return () => clearTimeout(timer);
  }, [polling, fetching, stale, reexecute]);

  if (!data) return fetching ? <Loading label="Loading the order" /> : <ErrorMessage error={error} />;
  if (!order) {
    return (
      <>
        <h1>Order not found</h1>
        <ErrorMessage error={error} />
        <Link to="/admin/orders">All orders</Link>
      </>
    );
  }
  return (
    <>
      <h1>Order</h1>
      <p className="order-meta">
        <code>{order.id}</code> by {order.customer.name} ({order.customer.email})
      </p>
      <p className="order-status" aria-live="polite">
        Status: <OrderStatusBadge status={order.status} />
        {polling && <span className="updating"> Updating…</span>}
      </p>
      <ErrorMessage error={error ?? delivering.error ?? cancelling.error} />
      {order.status === "PAID" && <ShipForm orderId={order.id} />}
      {order.status === "SHIPPED" && (
        <p>
          <button type="button" className="primary" disabled={delivering.fetching} onClick={() => markDelivered({ id: order.id })}>
            Mark delivered
          </button>
        </p>
      )}
      {order.canCancel && (
        <details className="cancel">
          <summary>Cancel this order</summary>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              void cancelOrder({ id: order.id, reason: String(new FormData(event.currentTarget).get("reason")) });
            }}
          >
            <label htmlFor="admin-cancel-reason">Reason, for the customer and the history</label>
            <textarea id="admin-cancel-reason" name="reason" required maxLength={500} rows={2} />
            <button type="submit" disabled={cancelling.fetching}>
              Cancel order
            </button>
          </form>
        </details>
      )}
      <OrderDetails order={order} customerId={order.customer.id} />
      <section aria-labelledby="admin-payments">
        <h2 id="admin-payments">Payments</h2>
        {!order.payments?.length && <p>No payment attempts.</p>}
        {order.payments?.map((payment) => (
          <article key={payment.id} className="payment">
            <h3>
              <Price money={payment.amount} /> {payment.card && `by ${payment.card.brand} •••• ${payment.card.last4}`}:{" "}
              {payment.status.toLowerCase()}
            </h3>
            <p>
              Refunded so far: <Price money={payment.refundedAmount} />
            </p>
            <ol className="history">
              {payment.auditTrail.map((entry) => (
                <li key={entry.id}>
                  <time dateTime={entry.createdAt}>{formatDateTime(entry.createdAt)}</time>: {entry.action.toLowerCase()}{" "}
                  <Price money={entry.amount} />
                  {entry.detail && ` (${entry.detail})`}
                </li>
              ))}
            </ol>
            {payment.status === "CAPTURED" && <RefundForm paymentId={payment.id} currency={payment.amount.currency} />}
          </article>
        ))}
      </section>
    </>
  );
}
