import { requireAdmin } from "@storefront/auth";
import { ErrorCode } from "@storefront/errors";
import { pageRequest } from "@storefront/service";
import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from "graphql";
import type { CatalogStore } from "../data/catalog-store.ts";
import type { CatalogLoaders } from "../data/loaders.ts";
import type { CategoryRecord } from "../data/records.ts";
import { supportedCurrencies } from "../domain/money.ts";
import { decodeListingCursor, encodeListingCursor, listingFilterFrom, positionOf } from "../domain/product-listing.ts";
import type { QueryResolvers } from "../generated/resolvers-types.ts";

const emptyConnection = (hasPreviousPage: boolean) => ({
  edges: [],
  totalCount: 0,
  pageInfo: { hasNextPage: false, hasPreviousPage, startCursor: null, endCursor: null },
});

/** True when the field being resolved selects `name` right below it (through fragments too, under any alias). */
function selects(info: GraphQLResolveInfo, name: string): boolean {
  const inSet = (set: SelectionSetNode | undefined): boolean =>
    (set?.selections ?? []).some((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value === name;
      if (selection.kind === Kind.INLINE_FRAGMENT) return inSet(selection.selectionSet);
      return inSet(info.fragments[selection.name.value]?.selectionSet);
    });
  return info.fieldNodes.some((node) => inSet(node.selectionSet));
}

export const Query: QueryResolvers = {
  priceCurrencies: () => [...supportedCurrencies],

  product(_parent, { id, sku }, { loaders }) {
    if ((id == null) === (sku == null)) {
      throw ErrorCode.BAD_USER_INPUT.err("Give exactly one of `id` or `sku`.");
    }
    return id != null ? loaders.productById.load(id) : loaders.productBySku.load(sku as string);
  },

  async products(_parent, args, { store, loaders, viewer }, info) {
    const { first } = pageRequest({ first: args.first });
    const sort = args.sort ?? "NEWEST";
    if (args.filter?.includeArchived) requireAdmin(viewer);
    const filter = listingFilterFrom(args.filter);
    const after = args.after ? decodeListingCursor(args.after, sort) : null;
    if (filter === null) return emptyConnection(after !== null);

    // One extra row tells whether another page follows; the page brings its products and categories whole.
    const { rows, totalCount } = await store.listProducts({ filter, sort, after, limit: first + 1 }, selects(info, "totalCount"));
    const page = rows.slice(0, first);
    const edges = page.map(({ product, category }) => {
      // later lookups of these (entity references, `category`) in this request cost no statement
      loaders.productById.prime(product.id, product);
      if (category) loaders.categoryById.prime(category.id, category);
      // The cursor carries the sort key the page was ordered by.
      return { cursor: encodeListingCursor(positionOf(sort, product)), node: product };
    });
    return {
      edges,
      // only computed when selected (see listProducts)
      totalCount: totalCount ?? 0,
      pageInfo: {
        hasNextPage: rows.length > first,
        hasPreviousPage: after !== null,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
    };
  },

  category(_parent, { id, slug }, { loaders }) {
    if ((id == null) === (slug == null)) {
      throw ErrorCode.BAD_USER_INPUT.err("Give exactly one of `id` or `slug`.");
    }
    return id != null ? loaders.categoryById.load(id) : loaders.categoryBySlug.load(slug as string);
  },

  async categories(_parent, _args, { store, loaders }) {
    const { childrenOf } = await wholeTree(store, loaders);
    return childrenOf.get("") ?? [];
  },

  async allCategories(_parent, _args, { store, loaders }) {
    const { childrenOf } = await wholeTree(store, loaders);
    // depth first from the top-level categories (all is sorted by name); `ancestors` is known on the way down
    const ordered: CategoryRecord[] = [];
    const visit = (category: CategoryRecord, ancestors: CategoryRecord[]) => {
      ordered.push(category);
      loaders.ancestorsOfCategory.prime(category.id, ancestors);
      for (const child of childrenOf.get(category.id) ?? []) visit(child, [...ancestors, category]);
    };
    for (const top of childrenOf.get("") ?? []) visit(top, []);
    return ordered;
  },
};

/**
 * The whole tree in one statement, grouped by parent ("" for the top level), siblings by name; priming the loaders
 * makes walking `children` to any depth free.
 */
async function wholeTree(store: CatalogStore, loaders: CatalogLoaders): Promise<{ childrenOf: Map<string, CategoryRecord[]> }> {
  const all = await store.allCategories();
  const childrenOf = Map.groupBy(all, (category) => category.parentId ?? "");
  for (const category of all) {
    loaders.categoryById.prime(category.id, category);
    loaders.childrenOfCategory.prime(category.id, childrenOf.get(category.id) ?? []);
  }
  return { childrenOf };
}
