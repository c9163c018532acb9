// Checkout: choose (or add) an address from the address book, then place the order. The server prices it; the
// idempotency key, made when the page opens, makes a double click or a retry place one order, not two.
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { useMutation, useQuery } from "urql";
import { Empty, Loading, newIdempotencyKey, Price, usePageTitle } from "../components/ui.tsx";
import { ErrorMessage } from "../errors.tsx";
import type { AddressInput } from "../gql/graphql.ts";
import { graphql } from "../gql/index.ts";

const CheckoutQuery = graphql(`
  query CheckoutPage {
    me {
      id
      addresses {
        id
        recipientName
        line1
        line2
        city
        postalCode
        countryCode
        isDefault
      }
    }
    cart {
      id
      itemCount
      subtotal {
        amount
        currency
      }
      items {
        quantity
        lineTotal {
          amount
          currency
        }
        product {
          id
          name
        }
      }
    }
  }
`);

const AddAddressMutation = graphql(`
  mutation AddAddress($input: AddressInput!) {
    addAddress(input: $input) {
      id
      isDefault
    }
  }
`);

const PlaceOrderMutation = graphql(`
  mutation PlaceOrder($input: CheckoutInput!) {
    checkout(input: $input) {
      id
      status
    }
  }
`);

// An empty address book has no Address in the answer; adding one must still refresh the page.
const checkoutContext = { additionalTypenames: ["Address"] };

const checkoutTexts = {
  OUT_OF_STOCK: "Some items are no longer in stock in the quantity you chose. Change your cart and try again.",
};

const optional = (value: FormDataEntryValue | null) => (typeof value === "string" && value.trim() !== "" ? value.trim() : null);

function AddressForm({ onAdded }: { readonly onAdded: (id: string) => void }) {
  const [{ fetching, error }, addAddress] = useMutation(AddAddressMutation);
  return (
    <form
      className="address-form"
      aria-labelledby="new-address"
      onSubmit={async (event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        const input: AddressInput = {
          recipientName: String(form.get("recipientName")),
          line1: String(form.get("line1")),
          line2: optional(form.get("line2")),
          city: String(form.get("city")),
          region: optional(form.get("region")),
          postalCode: String(form.get("postalCode")),
          countryCode: String(form.get("countryCode")),
          phone: optional(form.get("phone")),
        };
        const result = await addAddress({ input });
        if (result.data) onAdded(result.data.addAddress.id);
      }}
    >
      <h3 id="new-address">Add an address</h3>
      <label htmlFor="recipientName">Recipient</label>
      <input id="recipientName" name="recipientName" autoComplete="name" required maxLength={100} />
      <label htmlFor="line1">Street and number</label>
      <input id="line1" name="line1" autoComplete="address-line1" required maxLength={200} />
      <label htmlFor="line2">Apartment, floor (optional)</label>
      <input id="line2" name="line2" autoComplete="address-line2" maxLength={200} />
      <div className="inline">
        <div>
          <label htmlFor="postalCode">Postal code</label>
          <input id="postalCode" name="postalCode" autoComplete="postal-code" required maxLength={20} />
        </div>
        <div>
          <label htmlFor="city">City</label>
          <input id="city" name="city" autoComplete="address-level2" required maxLength={100} />
        </div>
      </div>
      <label htmlFor="region">Region (optional)</label>
      <input id="region" name="region" autoComplete="address-level1" maxLength={100} />
      <label htmlFor="countryCode">Country code</label>
      <input
        id="countryCode"
        name="countryCode"
        autoComplete="country"
        required
        pattern="[A-Za-z]{2}"
        maxLength={2}
        aria-describedby="countryCode-hint"
      />
      <p id="countryCode-hint" className="hint">
        Two letters, e.g. DE or GB.
      </p>
      <label htmlFor="phone">Phone for the carrier (optional)</label>
      <input id="phone" name="phone" type="tel" autoComplete="tel" maxLength={30} />
      <ErrorMessage error={error} />
      <button type="submit" disabled={fetching}>
        Save address
      </button>
    </form>
  );
}

export function CheckoutPage() {
  usePageTitle("Checkout");
  const navigate = useNavigate();
  const [{ data, fetching, error }] = useQuery({ query: CheckoutQuery, context: checkoutContext });
  const [placing, placeOrder] = useMutation(PlaceOrderMutation);
  const [chosen, setChosen] = useState<string>();
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);

  if (!data) return fetching ? <Loading label="Loading the checkout" /> : <ErrorMessage error={error} />;
  const addresses = data.me.addresses ?? [];
  const { cart } = data;
  const shipTo = chosen ?? addresses.find((address) => address.isDefault)?.id ?? addresses[0]?.id;

  if (cart.items.length === 0) {
    return (
      <>
        <h1>Checkout</h1>
        <Empty>
          <p>Your cart is empty.</p>
          <p>
            <Link to="/">Browse the catalogue</Link>
          </p>
        </Empty>
      </>
    );
  }

  return (
    <>
      <h1>Checkout</h1>
      <ErrorMessage error={error} />
      <div className="checkout">
        <section aria-labelledby="ship-to">
          <h2 id="ship-to">Shipping address</h2>
          {addresses.length === 0 ? (
            <p>Your address book is empty: add the address to ship to.</p>
          ) : (
            <fieldset className="address-book">
              <legend>Ship to</legend>
              {addresses.map((address) => (
                <label key={address.id} className="choice">
                  <input
                    type="radio"
                    name="shipTo"
                    value={address.id}
                    checked={address.id === shipTo}
                    onChange={() => setChosen(address.id)}
                  />
                  <span>
                    <strong>{address.recipientName}</strong>, {address.line1}
                    {address.line2 && `, ${address.line2}`}, {address.postalCode} {address.city}, {address.countryCode}
                    {address.isDefault && " (default)"}
                  </span>
                </label>
              ))}
            </fieldset>
          )}
          <details open={addresses.length === 0}>
            <summary>Add a new address</summary>
            <AddressForm onAdded={setChosen} />
          </details>
        </section>
        <section aria-labelledby="summary">
          <h2 id="summary">Order summary</h2>
          <ul className="summary">
            {cart.items.map((item) => (
              <li key={item.product.id}>
                <span>
                  {item.quantity} × {item.product.name}
                </span>
                <Price money={item.lineTotal} />
              </li>
            ))}
          </ul>
          <p className="total">
            <span>Total</span> <Price money={cart.subtotal} />
          </p>
          <ErrorMessage error={placing.error} texts={checkoutTexts} />
          <button
            type="button"
            className="primary"
            disabled={!shipTo || placing.fetching}
            onClick={async () => {
              const result = await placeOrder({ input: { idempotencyKey, shippingAddressId: shipTo } });
              if (result.data) navigate(`/orders/${result.data.checkout.id}`);
              // The same key would answer the same refusal: the next try is a new intended order.
              else if (result.error?.graphQLErrors.length) setIdempotencyKey(newIdempotencyKey());
            }}
          >
            {placing.fetching ? "Placing your order…" : "Place order"}
          </button>
        </section>
      </div>
    </>
  );
}
