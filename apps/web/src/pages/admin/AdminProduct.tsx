// A product's admin page: create or edit it, and change its stock with a reason the ledger keeps.
import { useState } from "react";
import { useNavigate, useParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { categoryLabel, useCategoryOptions } from "../../categories.ts";
import { formatDateTime } from "../../components/OrderDetails.tsx";
import { Loading, usePageTitle } from "../../components/ui.tsx";
import { ErrorMessage } from "../../errors.tsx";
import type { StockAdjustmentReason } from "../../gql/graphql.ts";
import { graphql } from "../../gql/index.ts";
import { moneyInputValue, parseMoney } from "../../money.ts";

const AdminProductQuery = graphql(`
  query AdminProduct($id: ID!) {
    product(id: $id) {
      id
      sku
      name
      description
      active
      images
      price {
        amount
        currency
      }
      category {
        id
      }
      inventory {
        onHand
        reserved
        available
      }
      stockMovements(first: 10) {
        edges {
          node {
            id
            kind
            quantity
            onHandAfter
            reason
            note
            orderId
            createdAt
          }
        }
      }
    }
  }
`);

const CreateProductMutation = graphql(`
  mutation CreateProduct($input: CreateProductInput!) {
    createProduct(input: $input) {
      id
    }
  }
`);

const UpdateProductMutation = graphql(`
  mutation UpdateProduct($id: ID!, $input: UpdateProductInput!) {
    updateProduct(id: $id, input: $input) {
      id
      name
    }
  }
`);

const AdjustStockMutation = graphql(`
  mutation AdjustStock($input: AdjustStockInput!) {
    adjustStock(input: $input) {
      product {
        id
        inventory {
          onHand
          reserved
          available
        }
      }
      movement {
        id
      }
    }
  }
`);

const PriceCurrenciesQuery = graphql(`
  query PriceCurrencies {
    priceCurrencies
  }
`);

/**
 * The currencies the catalog takes prices in, with `current` among them from the first render: a <select>'s
 * defaultValue picks its option once, so the product's own currency must be there before the list arrives.
 */
function useCurrencyOptions(current: string): readonly string[] {
  const [{ data }] = useQuery({ query: PriceCurrenciesQuery });
  const currencies = data?.priceCurrencies ?? [];
  return currencies.includes(current) ? currencies : [current, ...currencies];
}

const reasons: readonly { readonly value: StockAdjustmentReason; readonly label: string }[] = [
  { value: "RECEIVED", label: "Received from a supplier (add)" },
  { value: "RETURNED", label: "Returned by a customer (add)" },
  { value: "COUNT_CORRECTION", label: "Count correction (either way)" },
  { value: "DAMAGED", label: "Damaged (remove)" },
  { value: "LOST", label: "Lost (remove)" },
  { value: "OTHER", label: "Other (either way; say what in the note)" },
];

interface ProductFormValues {
  readonly sku: string;
  readonly name: string;
  readonly description: string;
  readonly price: string;
  readonly currency: string;
  readonly categoryId: string;
  readonly image: string;
}

function ProductForm(props: {
  readonly initial: ProductFormValues;
  readonly isNew: boolean;
  readonly busy: boolean;
  readonly onSave: (values: ProductFormValues, amount: number) => void;
  readonly invalidPrice: boolean;
}) {
  const categories = useCategoryOptions();
  const { initial } = props;
  const currencies = useCurrencyOptions(initial.currency);
  return (
    <form
      className="product-form"
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        const values = Object.fromEntries(
          [...form.entries()].map(([key, value]) => [key, String(value).trim()]),
        ) as unknown as ProductFormValues;
        // An amount the form cannot read goes on as -1, which the page refuses before asking the API.
        props.onSave(values, parseMoney(values.price, values.currency) ?? -1);
      }}
    >
      <label htmlFor="sku">SKU</label>
      <input id="sku" name="sku" defaultValue={initial.sku} required readOnly={!props.isNew} pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,63}" />
      <label htmlFor="name">Name</label>
      <input id="name" name="name" defaultValue={initial.name} required maxLength={200} />
      <label htmlFor="description">Description</label>
      <textarea id="description" name="description" defaultValue={initial.description} maxLength={5000} rows={4} />
      <div className="inline">
        <div>
          <label htmlFor="price">Price</label>
          <input id="price" name="price" inputMode="decimal" defaultValue={initial.price} required aria-invalid={props.invalidPrice} />
        </div>
        <div>
          <label htmlFor="currency">Currency</label>
          <select id="currency" name="currency" defaultValue={initial.currency}>
            {currencies.map((currency) => (
              <option key={currency}>{currency}</option>
            ))}
          </select>
        </div>
      </div>
      {props.invalidPrice && (
        <p className="error" role="alert">
          The price must be an amount like 19.99.
        </p>
      )}
      <label htmlFor="categoryId">Category</label>
      <select id="categoryId" name="categoryId" defaultValue={initial.categoryId}>
        <option value="">No category</option>
        {categories.map((option) => (
          <option key={option.id} value={option.id}>
            {categoryLabel(option)}
          </option>
        ))}
      </select>
      <label htmlFor="image">Image URL (optional)</label>
      <input id="image" name="image" type="url" defaultValue={initial.image} />
      <button type="submit" className="primary" disabled={props.busy}>
        {props.isNew ? "Create product" : "Save changes"}
      </button>
    </form>
  );
}

function StockPanel({ productId }: { readonly productId: string }) {
  const [{ fetching, error, data }, adjustStock] = useMutation(AdjustStockMutation);
  return (
    <form
      className="stock-form"
      aria-labelledby="adjust-stock"
      onSubmit={async (event) => {
        event.preventDefault();
        const formElement = event.currentTarget;
        const form = new FormData(formElement);
        const note = String(form.get("note")).trim();
        const result = await adjustStock({
          input: {
            productId,
            delta: Number(form.get("delta")),
            reason: String(form.get("reason")) as StockAdjustmentReason,
            note: note || null,
          },
        });
        if (result.data) formElement.reset();
      }}
    >
      <h2 id="adjust-stock">Adjust stock</h2>
      <div className="inline">
        <div>
          <label htmlFor="delta">Units to add (negative to remove)</label>
          <input id="delta" name="delta" type="number" step={1} required />
        </div>
        <div>
          <label htmlFor="reason">Reason</label>
          <select id="reason" name="reason" defaultValue="RECEIVED">
            {reasons.map((reason) => (
              <option key={reason.value} value={reason.value}>
                {reason.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <label htmlFor="note">Note for the ledger (optional)</label>
      <input id="note" name="note" maxLength={500} />
      <ErrorMessage error={error} />
      {data && !error && (
        <p role="status" className="notice">
          Stock changed: {data.adjustStock.product.inventory?.onHand} on hand.
        </p>
      )}
      <button type="submit" disabled={fetching}>
        Book the change
      </button>
    </form>
  );
}

export function AdminProductPage() {
  const { id } = useParams();
  const isNew = id === undefined;
  usePageTitle(isNew ? "Admin: new product" : "Admin: product");
  const navigate = useNavigate();
  const [{ data, fetching, error }] = useQuery({ query: AdminProductQuery, variables: { id: id ?? "" }, pause: isNew });
  const [creating, createProduct] = useMutation(CreateProductMutation);
  const [updating, updateProduct] = useMutation(UpdateProductMutation);
  const [invalidPrice, setInvalidPrice] = useState(false);

  const product = data?.product;
  if (!isNew && !data) return fetching ? <Loading label="Loading the product" /> : <ErrorMessage error={error} />;
  if (!isNew && !product) return <h1>Product not found</h1>;

  const initial: ProductFormValues = product
    ? {
        sku: product.sku,
        name: product.name,
        description: product.description,
        price: moneyInputValue(product.price),
        currency: product.price.currency,
        categoryId: product.category?.id ?? "",
        image: product.images[0] ?? "",
      }
    : { sku: "", name: "", description: "", price: "", currency: "EUR", categoryId: "", image: "" };

  return (
    <>
      <h1>{product ? product.name : "New product"}</h1>
      {product && !product.active && <p className="notice">Archived: not on sale.</p>}
      <ErrorMessage error={creating.error ?? updating.error} />
      {updating.data && !updating.error && (
        <p role="status" className="notice">
          Saved.
        </p>
      )}
      <ProductForm
        initial={initial}
        isNew={isNew}
        busy={creating.fetching || updating.fetching}
        invalidPrice={invalidPrice}
        onSave={async (values, amount) => {
          setInvalidPrice(amount < 0);
          if (amount < 0) return;
          const price = { amount, currency: values.currency };
          const images = values.image ? [values.image] : [];
          if (product) {
            await updateProduct({
              id: product.id,
              input: { name: values.name, description: values.description, price, categoryId: values.categoryId || null, images },
            });
          } else {
            const result = await createProduct({
              input: {
                sku: values.sku,
                name: values.name,
                description: values.description,
                price,
                categoryId: values.categoryId || null,
                images,
              },
            });
            if (result.data) navigate(`/admin/products/${result.data.createProduct.id}`, { replace: true });
          }
        }}
      />
      {product && (
        <section aria-labelledby="stock">
          <h2 id="stock">Stock</h2>
          {product.inventory ? (
            <dl className="stock-figures">
              <dt>On hand</dt>
              <dd>{product.inventory.onHand}</dd>
              <dt>Reserved for orders</dt>
              <dd>{product.inventory.reserved}</dd>
              <dt>Available</dt>
              <dd>{product.inventory.available}</dd>
            </dl>
          ) : (
            <p>Stock figures are unavailable right now.</p>
          )}
          <StockPanel productId={product.id} />
          <h3>Latest stock movements</h3>
          <table className="admin-table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What</th>
                <th scope="col">Units</th>
                <th scope="col">On hand after</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {(product.stockMovements?.edges ?? []).map(({ node: movement }) => (
                <tr key={movement.id}>
                  <td>
                    <time dateTime={movement.createdAt}>{formatDateTime(movement.createdAt)}</time>
                  </td>
                  <td>{movement.kind.toLowerCase()}</td>
                  <td>{movement.quantity}</td>
                  <td>{movement.onHandAfter ?? "—"}</td>
                  <td>
                    {[movement.reason?.replaceAll("_", " "), movement.note, movement.orderId && `order ${movement.orderId}`]
                      .filter(Boolean)
                      .join(": ")}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </>
  );
}
