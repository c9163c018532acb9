import { useState } from "react";
import { Link, useLocation, useParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { ProductImage } from "../components/ProductCard.tsx";
import { Loading, Price, usePageTitle } from "../components/ui.tsx";
import { ErrorMessage } from "../errors.tsx";
import { graphql } from "../gql/index.ts";
import { useSession } from "../shop.tsx";

const ProductQuery = graphql(`
  query ProductDetails($id: ID!) {
    product(id: $id) {
      id
      sku
      name
      description
      images
      active
      price {
        amount
        currency
      }
      category {
        path {
          id
          slug
          name
        }
      }
      inStock
      inventory {
        available
      }
    }
  }
`);

const AddToCartMutation = graphql(`
  mutation AddToCart($productId: ID!, $quantity: Int!) {
    addToCart(productId: $productId, quantity: $quantity) {
      id
      itemCount
    }
  }
`);

/** How many a customer may put in the cart at once (the cart's limit per line). */
const maxQuantity = 99;

function stockLine(available: number | undefined): string {
  if (available === undefined) return "Stock information is unavailable right now.";
  if (available === 0) return "Out of stock";
  return available <= 5 ? `Only ${available} left in stock` : `In stock: ${available} available`;
}

function AddToCart({ productId, available }: { readonly productId: string; readonly available: number | undefined }) {
  const session = useSession();
  const location = useLocation();
  const [{ fetching, error, data }, addToCart] = useMutation(AddToCartMutation);
  const [quantity, setQuantity] = useState(1);
  if (!session) {
    return (
      <p>
        <Link to={`/signin?next=${encodeURIComponent(location.pathname)}`}>Sign in to buy</Link>
      </p>
    );
  }
  const max = Math.min(maxQuantity, available ?? maxQuantity);
  return (
    <form
      className="add-to-cart"
      onSubmit={(event) => {
        event.preventDefault();
        void addToCart({ productId, quantity });
      }}
    >
      <label htmlFor="quantity">Quantity</label>
      <div className="inline">
        <input
          id="quantity"
          type="number"
          inputMode="numeric"
          min={1}
          max={max}
          value={quantity}
          onChange={(event) => setQuantity(Number(event.target.value))}
          required
        />
        <button type="submit" disabled={fetching || available === 0}>
          Add to cart
        </button>
      </div>
      <ErrorMessage error={error} />
      {data && !error && (
        <p role="status" className="notice">
          Added to your cart ({data.addToCart.itemCount} {data.addToCart.itemCount === 1 ? "item" : "items"}).{" "}
          <Link to="/cart">View cart</Link>
        </p>
      )}
    </form>
  );
}

export function ProductPage() {
  const { id = "" } = useParams();
  const [{ data, fetching, error }] = useQuery({ query: ProductQuery, variables: { id } });
  const product = data?.product;
  usePageTitle(product?.name ?? "Product");
  if (!data) return fetching ? <Loading label="Loading the product" /> : <ErrorMessage error={error} />;
  if (!product) {
    return (
      <>
        <h1>Product not found</h1>
        <p>
          This product does not exist. <Link to="/">Back to the catalogue</Link>
        </p>
      </>
    );
  }
  const available = product.inventory?.available;
  return (
    <article className="product-page">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <ol>
          <li>
            <Link to="/">Catalogue</Link>
          </li>
          {product.category?.path.map((category) => (
            <li key={category.id}>
              <Link to={`/?category=${category.slug}`}>{category.name}</Link>
            </li>
          ))}
        </ol>
      </nav>
      <div className="product-layout">
        <ProductImage src={product.images[0]} name={product.name} size="page" />
        <div>
          <h1>{product.name}</h1>
          <p className="sku">SKU {product.sku}</p>
          <p className="price-large">
            <Price money={product.price} />
          </p>
          <p className={available ? "stock in" : "stock out"}>{stockLine(available)}</p>
          {/* Partial data: the product arrived but the stock did not (inventory is down). */}
          <ErrorMessage error={error} />
          {product.active ? (
            <AddToCart productId={product.id} available={available} />
          ) : (
            <p className="notice">This product is no longer sold.</p>
          )}
          <p className="description">{product.description}</p>
        </div>
      </div>
    </article>
  );
}
