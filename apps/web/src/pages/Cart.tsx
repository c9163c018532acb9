// The cart: quantities change on the server, which prices every line from the catalog; the page shows what it says.
import { Link } from "react-router";
import { useMutation, useQuery } from "urql";
import { Empty, Loading, Price, usePageTitle } from "../components/ui.tsx";
import { ErrorMessage } from "../errors.tsx";
import { graphql } from "../gql/index.ts";

const CartQuery = graphql(`
  query CartPage {
    cart {
      id
      itemCount
      subtotal {
        amount
        currency
      }
      items {
        quantity
        purchasable
        unitPrice {
          amount
          currency
        }
        lineTotal {
          amount
          currency
        }
        product {
          id
          name
          inventory {
            available
          }
        }
      }
    }
  }
`);

const SetQuantityMutation = graphql(`
  mutation SetCartItemQuantity($productId: ID!, $quantity: Int!) {
    setCartItemQuantity(productId: $productId, quantity: $quantity) {
      id
      itemCount
    }
  }
`);

const RemoveMutation = graphql(`
  mutation RemoveFromCart($productId: ID!) {
    removeFromCart(productId: $productId) {
      id
      itemCount
    }
  }
`);

export function CartPage() {
  usePageTitle("Cart");
  const [{ data, fetching, error }] = useQuery({ query: CartQuery });
  const [quantityChange, setQuantity] = useMutation(SetQuantityMutation);
  const [removal, remove] = useMutation(RemoveMutation);
  const busy = quantityChange.fetching || removal.fetching;

  if (!data) return fetching ? <Loading label="Loading your cart" /> : <ErrorMessage error={error} />;
  const { cart } = data;
  return (
    <>
      <h1>Your cart</h1>
      <ErrorMessage error={error} />
      <ErrorMessage error={quantityChange.error ?? removal.error} />
      {cart.items.length === 0 ? (
        <Empty>
          <p>Your cart is empty.</p>
          <p>
            <Link to="/">Browse the catalogue</Link>
          </p>
        </Empty>
      ) : (
        <>
          <table className="lines cart">
            <caption className="visually-hidden">Items in your cart</caption>
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">Unit price</th>
                <th scope="col">Quantity</th>
                <th scope="col">Total</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {cart.items.map((item) => {
                const { product } = item;
                const max = Math.min(99, (product.inventory?.available ?? 99) + item.quantity);
                return (
                  <tr key={product.id}>
                    <td>
                      <Link to={`/products/${product.id}`}>{product.name}</Link>
                      {item.purchasable === false && <p className="error">No longer sold: remove it to check out.</p>}
                    </td>
                    <td>
                      <Price money={item.unitPrice} />
                    </td>
                    <td>
                      <div className="stepper">
                        <button
                          type="button"
                          aria-label={`Decrease quantity of ${product.name}`}
                          disabled={busy || item.quantity <= 1}
                          onClick={() => setQuantity({ productId: product.id, quantity: item.quantity - 1 })}
                        >
                          −
                        </button>
                        <output aria-label={`Quantity of ${product.name}`}>{item.quantity}</output>
                        <button
                          type="button"
                          aria-label={`Increase quantity of ${product.name}`}
                          disabled={busy || item.quantity >= max}
                          onClick={() => setQuantity({ productId: product.id, quantity: item.quantity + 1 })}
                        >
                          +
                        </button>
                      </div>
                    </td>
                    <td>
                      <Price money={item.lineTotal} />
                    </td>
                    <td>
                      <button type="button" className="link-button" disabled={busy} onClick={() => remove({ productId: product.id })}>
                        Remove<span className="visually-hidden"> {product.name}</span>
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colSpan={3}>
                  Subtotal ({cart.itemCount} {cart.itemCount === 1 ? "item" : "items"})
                </th>
                <td>
                  <Price money={cart.subtotal} />
                </td>
                <td />
              </tr>
            </tfoot>
          </table>
          <p className="actions">
            <Link className="button primary" to="/checkout">
              Check out
            </Link>
          </p>
        </>
      )}
    </>
  );
}
