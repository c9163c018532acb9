import { Link, useSearchParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { Empty, Loading, LoadMore, Price, usePageTitle } from "../../components/ui.tsx";
import { ErrorMessage } from "../../errors.tsx";
import { graphql } from "../../gql/index.ts";
import { useMorePages } from "../../pagination.ts";

const AdminProductsQuery = graphql(`
  query AdminProducts($first: Int!, $after: String, $filter: ProductFilter) {
    products(first: $first, after: $after, filter: $filter, sort: NEWEST) {
      totalCount
      edges {
        node {
          id
          sku
          name
          active
          price {
            amount
            currency
          }
          inventory {
            onHand
            reserved
            available
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

const ArchiveMutation = graphql(`
  mutation ArchiveProduct($id: ID!) {
    archiveProduct(id: $id) {
      id
      active
    }
  }
`);

const RestoreMutation = graphql(`
  mutation RestoreProduct($id: ID!) {
    restoreProduct(id: $id) {
      id
      active
    }
  }
`);

function ProductTable({ search }: { readonly search: string }) {
  const variables = { first: 20, filter: { includeArchived: true, ...(search && { search }) } };
  const [{ data, fetching, error }] = useQuery({ query: AdminProductsQuery, variables, requestPolicy: "cache-and-network" });
  const pages = useMorePages({ query: AdminProductsQuery, variables, firstPage: data?.products, connectionOf: (more) => more.products });
  const [archiving, archive] = useMutation(ArchiveMutation);
  const [restoring, restore] = useMutation(RestoreMutation);
  if (!data) return fetching ? <Loading label="Loading products" /> : <ErrorMessage error={error} />;
  if (pages.edges.length === 0) return <Empty>No products match.</Empty>;
  return (
    <>
      <ErrorMessage error={error ?? archiving.error ?? restoring.error} />
      <table className="admin-table">
        <caption className="visually-hidden">Products, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col">SKU</th>
            <th scope="col">Price</th>
            <th scope="col">On hand</th>
            <th scope="col">Reserved</th>
            <th scope="col">Available</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {pages.edges.map(({ node: product }) => (
            <tr key={product.id}>
              <td>
                <Link to={`/admin/products/${product.id}`}>{product.name}</Link>
              </td>
              <td>{product.sku}</td>
              <td>
                <Price money={product.price} />
              </td>
              <td>{product.inventory?.onHand ?? "—"}</td>
              <td>{product.inventory?.reserved ?? "—"}</td>
              <td>{product.inventory?.available ?? "—"}</td>
              <td>{product.active ? "On sale" : "Archived"}</td>
              <td>
                {product.active ? (
                  <button type="button" className="link-button" disabled={archiving.fetching} onClick={() => archive({ id: product.id })}>
                    Archive<span className="visually-hidden"> {product.name}</span>
                  </button>
                ) : (
                  <button type="button" className="link-button" disabled={restoring.fetching} onClick={() => restore({ id: product.id })}>
                    Restore<span className="visually-hidden"> {product.name}</span>
                  </button>
                )}
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

export function AdminProductsPage() {
  usePageTitle("Admin: products");
  const [params, setParams] = useSearchParams();
  const search = params.get("q") ?? "";
  return (
    <>
      <h1>Products</h1>
      <p className="actions">
        <Link className="button primary" to="/admin/products/new">
          New product
        </Link>
      </p>
      <search>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const q = String(new FormData(event.currentTarget).get("q") ?? "").trim();
            setParams(q ? { q } : {});
          }}
        >
          <label htmlFor="admin-search">Search products, archived ones included</label>
          <div className="inline">
            <input id="admin-search" name="q" type="search" defaultValue={search} key={search} />
            <button type="submit">Search</button>
          </div>
        </form>
      </search>
      <ProductTable key={search} search={search} />
    </>
  );
}
