// The catalogue: search, a category filter, sorting and "Load more", all kept in the URL (?q=&category=&sort=) so a
// listing can be shared, bookmarked and walked back through.
import { useSearchParams } from "react-router";
import { useQuery } from "urql";
import { categoryLabel, useCategoryOptions } from "../categories.ts";
import { ProductCard } from "../components/ProductCard.tsx";
import { Empty, Loading, LoadMore, usePageTitle } from "../components/ui.tsx";
import { ErrorMessage } from "../errors.tsx";
import type { ProductFilter, ProductSort } from "../gql/graphql.ts";
import { graphql } from "../gql/index.ts";
import { useMorePages } from "../pagination.ts";

const CatalogueQuery = graphql(`
  query Catalogue($first: Int!, $after: String, $filter: ProductFilter, $sort: ProductSort) {
    products(first: $first, after: $after, filter: $filter, sort: $sort) {
      totalCount
      edges {
        node {
          id
          ...ProductCard_product
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const pageSize = 12;

const sorts: readonly { readonly value: ProductSort; readonly label: string }[] = [
  { value: "NEWEST", label: "Newest first" },
  { value: "PRICE_ASC", label: "Price: low to high" },
  { value: "PRICE_DESC", label: "Price: high to low" },
  { value: "NAME", label: "Name: A to Z" },
];

const sortOf = (value: string | null): ProductSort => sorts.find((sort) => sort.value === value)?.value ?? "NEWEST";

function ProductResults({ filter, sort }: { readonly filter: ProductFilter; readonly sort: ProductSort }) {
  const variables = { first: pageSize, filter, sort };
  const [{ data, fetching, error }] = useQuery({ query: CatalogueQuery, variables });
  const pages = useMorePages({
    query: CatalogueQuery,
    variables,
    firstPage: data?.products,
    connectionOf: (more) => more.products,
  });
  if (!data) return fetching ? <Loading label="Loading products" /> : <ErrorMessage error={error} />;
  const count = data.products.totalCount;
  return (
    <>
      <p className="result-count" role="status">
        {count === 1 ? "1 product" : `${count} products`}
      </p>
      <ErrorMessage error={error} />
      {count === 0 ? (
        <Empty>
          <p>No products match. Try other words or another category.</p>
        </Empty>
      ) : (
        <ul className="product-grid">
          {pages.edges.map(({ node }) => (
            <li key={node.id}>
              <ProductCard product={node} />
            </li>
          ))}
        </ul>
      )}
      <ErrorMessage error={pages.error} />
      <LoadMore pages={pages} />
    </>
  );
}

export function CataloguePage() {
  usePageTitle("Catalogue");
  const [params, setParams] = useSearchParams();
  const search = params.get("q") ?? "";
  const category = params.get("category") ?? "";
  const sort = sortOf(params.get("sort"));
  const categories = useCategoryOptions();
  const update = (name: string, value: string) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (value) next.set(name, value);
      else next.delete(name);
      return next;
    });
  const filter: ProductFilter = { ...(search && { search }), ...(category && { categorySlug: category }) };

  return (
    <>
      <h1>Catalogue</h1>
      <div className="filters">
        <search>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              update("q", String(new FormData(event.currentTarget).get("q") ?? "").trim());
            }}
          >
            <label htmlFor="search">Search products</label>
            <div className="inline">
              <input id="search" name="q" type="search" defaultValue={search} key={search} />
              <button type="submit">Search</button>
            </div>
          </form>
        </search>
        <div>
          <label htmlFor="category">Category</label>
          <select id="category" value={category} onChange={(event) => update("category", event.target.value)}>
            <option value="">All categories</option>
            {categories.map((option) => (
              <option key={option.id} value={option.slug}>
                {categoryLabel(option)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="sort">Sort by</label>
          <select id="sort" value={sort} onChange={(event) => update("sort", event.target.value === "NEWEST" ? "" : event.target.value)}>
            {sorts.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <ProductResults key={`${search}|${category}|${sort}`} filter={filter} sort={sort} />
    </>
  );
}
