// The category tree, two levels deep (the catalogue's filter and the admin's product form list it).
import { useQuery } from "urql";
import { graphql } from "./gql/index.ts";

const CategoriesQuery = graphql(`
  query Categories {
    categories {
      id
      slug
      name
      children {
        id
        slug
        name
      }
    }
  }
`);

export interface CategoryOption {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly depth: number;
}

/** Every category in tree order, each with its depth, for a <select>. */
export function useCategoryOptions(): readonly CategoryOption[] {
  const [{ data }] = useQuery({ query: CategoriesQuery });
  return (data?.categories ?? []).flatMap((top) => [
    { id: top.id, slug: top.slug, name: top.name, depth: 0 },
    ...top.children.map((child) => ({ id: child.id, slug: child.slug, name: child.name, depth: 1 })),
  ]);
}

/** A category option's label: sub-categories indented under their parent. */
export const categoryLabel = (option: CategoryOption) => `${"\u00a0\u00a0".repeat(option.depth)}${option.name}`;
