// The category tree at any depth (the catalogue's filter and the admin's product form list it).
import { useQuery } from "urql";
import { graphql } from "./gql/index.ts";

const CategoriesQuery = graphql(`
  query Categories {
    allCategories {
      id
      slug
      name
      ancestors {
        id
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
  return (data?.allCategories ?? []).map((category) => ({
    id: category.id,
    slug: category.slug,
    name: category.name,
    depth: category.ancestors.length,
  }));
}

/** A category option's label: sub-categories indented under their parent. */
export const categoryLabel = (option: CategoryOption) => `${"\u00a0\u00a0".repeat(option.depth)}${option.name}`;
