// One order: its details, paying it with a card (the payment simulator's test cards work), its status as it changes
// (the page polls while events are on their way), and cancelling it.
import { useEffect, useState } from "react";
import { Link, useParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { awaitingEvents, CancelOrderMutation, formatDateTime, OrderDetails, OrderStatusBadge } from "../components/OrderDetails.tsx";
import { Loading, newIdempotencyKey, Price, usePageTitle } from "../components/ui.tsx";
import { ErrorMessage } from "../errors.tsx";
import { graphql } from "../gql/index.ts";
import { useSession } from "../shop.tsx";

const OrderQuery = graphql(`
  query OrderPage($id: ID!) {
    order(id: $id) {
      id
      status
      canCancel
      paymentStatus
      amountDue {
        amount
        currency
      }
      payments {
        id
        status
        createdAt
        amount {
          amount
          currency
        }
        card {
          brand
          last4
        }
        failure {
          reason
        }
      }
      ...OrderDetails_order
    }
  }
`);

const PayOrderMutation = graphql(`
  mutation PayOrder($input: PayOrderInput!) {
    payOrder(input: $input) {
      payment {
        id
        status
      }
      failure {
        code
        reason
      }
    }
  }
`);

/** How often the page asks again while the order waits for an event (a payment captured, a refund). */
const pollMs = 1_000;

// An order without payments has no Payment in the answer; paying it must still refresh the page.
const orderContext = { additionalTypenames: ["Payment"] };

const testCards = [
  { number: "4242 4242 4242 4242", outcome: "approved" },
  { number: "4000 0000 0000 0002", outcome: "declined" },
  { number: "4000 0000 0000 9995", outcome: "declined: insufficient funds" },
  { number: "4000 0000 0000 0119", outcome: "the processor times out" },
];

function PayForm({ orderId, currency }: { readonly orderId: string; readonly currency: string }) {
  const [{ fetching, error, data }, payOrder] = useMutation(PayOrderMutation);
  // One key per attempt: a retry after a lost answer is the same attempt; a new card is a new one.
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);
  const failure = data?.payOrder.failure;
  return (
    <form
      className="pay-form"
      aria-labelledby="pay"
      onSubmit={async (event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        const result = await payOrder({
          input: {
            orderId,
            idempotencyKey,
            currency,
            method: {
              cardNumber: String(form.get("cardNumber")),
              expiryMonth: Number(form.get("expiryMonth")),
              expiryYear: Number(form.get("expiryYear")),
              cvc: String(form.get("cvc")),
            },
          },
        });
        if (result.data || result.error?.graphQLErrors.length) setIdempotencyKey(newIdempotencyKey());
      }}
    >
      <h2 id="pay">Pay</h2>
      <label htmlFor="cardNumber">Card number</label>
      <input id="cardNumber" name="cardNumber" inputMode="numeric" autoComplete="cc-number" required pattern="[0-9 ]{12,23}" />
      <div className="inline">
        <div>
          <label htmlFor="expiryMonth">Expiry month</label>
          <input id="expiryMonth" name="expiryMonth" type="number" min={1} max={12} autoComplete="cc-exp-month" required />
        </div>
        <div>
          <label htmlFor="expiryYear">Expiry year</label>
          <input id="expiryYear" name="expiryYear" type="number" min={2000} max={2100} autoComplete="cc-exp-year" required />
        </div>
        <div>
          <label htmlFor="cvc">CVC</label>
          <input id="cvc" name="cvc" inputMode="numeric" autoComplete="cc-csc" required pattern="[0-9]{3,4}" />
        </div>
      </div>
      <details className="hint">
        <summary>Test cards</summary>
        <p>This shop pays with a simulator: use any future expiry date and any CVC.</p>
        <ul>
          {testCards.map((card) => (
            <li key={card.number}>
              <code>{card.number}</code>: {card.outcome}
            </li>
          ))}
        </ul>
      </details>
      <ErrorMessage error={error} />
      {failure && (
        <p className="error" role="alert" data-code={failure.code}>
          {failure.code === "PAYMENT_DECLINED" ? "Your card was declined" : "The payment could not be processed"} (
          {failure.reason.replaceAll("_", " ")}). Nothing was charged: try again
          {failure.code === "PAYMENT_DECLINED" ? " with another card" : ""}.
        </p>
      )}
      <button type="submit" className="primary" disabled={fetching}>
        {fetching ? "Paying…" : "Pay now"}
      </button>
    </form>
  );
}

function CancelForm({ orderId }: { readonly orderId: string }) {
  const [{ fetching, error }, cancelOrder] = useMutation(CancelOrderMutation);
  return (
    <details className="cancel">
      <summary>Cancel this order</summary>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const reason = String(new FormData(event.currentTarget).get("reason"));
          void cancelOrder({ id: orderId, reason });
        }}
      >
        <label htmlFor="cancel-reason">Why are you cancelling?</label>
        <textarea id="cancel-reason" name="reason" required maxLength={500} rows={2} />
        <ErrorMessage error={error} />
        <button type="submit" disabled={fetching}>
          Cancel order
        </button>
      </form>
    </details>
  );
}

export function OrderPage() {
  const { id = "" } = useParams();
  const session = useSession();
  const [{ data, fetching, error, stale }, reexecute] = useQuery({ query: OrderQuery, variables: { id }, context: orderContext });
  const order = data?.order;
  usePageTitle(order ? "Your order" : "Order");
  const polling = !!order && awaitingEvents(order);

  useEffect(() => {
    if (!polling || fetching || stale) return;
    const timer = setTimeout(() => reexecute({ requestPolicy: "network-only" }), pollMs);
    return () => clearTimeout(timer);
  }, [polling, fetching, stale, reexecute]);

  if (!data) return fetching ? <Loading label="Loading the order" /> : <ErrorMessage error={error} />;
  if (!order) {
    return (
      <>
        <h1>Order not found</h1>
        <ErrorMessage error={error} texts={{ FORBIDDEN: "This order belongs to another account." }} />
        <p>
          {!error && "There is no such order. "}
          <Link to="/orders">Your orders</Link>
        </p>
      </>
    );
  }
  // Payable until a payment goes through; after a declined card the form stays, with its message, for the next try.
  const paying = order.paymentStatus === "PAID" || order.paymentStatus === "PROCESSING" || order.paymentStatus === "AUTHORIZED";
  const due = (order.status === "PENDING_PAYMENT" || order.status === "PAYMENT_FAILED") && !paying ? order.amountDue : null;
  return (
    <>
      <h1>Your order</h1>
      <p className="order-meta">
        Order <code>{order.id}</code>
      </p>
      <p className="order-status" aria-live="polite">
        Status: <OrderStatusBadge status={order.status} />
        {polling && <span className="updating"> Updating…</span>}
      </p>
      <ErrorMessage error={error} />
      {due && (
        <>
          <p>
            Amount due: <Price money={due} />
          </p>
          <PayForm orderId={order.id} currency={due.currency} />
        </>
      )}
      <OrderDetails order={order} customerId={session?.user.id} />
      {order.payments && order.payments.length > 0 && (
        <section aria-labelledby="payments">
          <h2 id="payments">Payments</h2>
          <ul className="payments">
            {order.payments.map((payment) => (
              <li key={payment.id}>
                <time dateTime={payment.createdAt}>{formatDateTime(payment.createdAt)}</time>: <Price money={payment.amount} />
                {payment.card && ` by ${payment.card.brand} •••• ${payment.card.last4}`}: {payment.status.toLowerCase()}
                {payment.failure && ` (${payment.failure.reason.replaceAll("_", " ")})`}
              </li>
            ))}
          </ul>
        </section>
      )}
      {order.canCancel && <CancelForm orderId={order.id} />}
      <p>
        <Link to="/orders">All your orders</Link>
      </p>
    </>
  );
}
