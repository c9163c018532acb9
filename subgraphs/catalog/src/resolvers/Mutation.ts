import { requireAdmin } from "@storefront/auth";
import { ErrorCode } from "@storefront/errors";
import { isUuid } from "@storefront/service";
import { validateCategoryChanges, validateCategoryReference, validateNewCategory } from "../domain/category-input.ts";
import { validateNewProduct, validateProductChanges } from "../domain/product-input.ts";
import type { MutationResolvers } from "../generated/resolvers-types.ts";

// Codes: the thing a mutation acts on missing is NOT_FOUND; an id inside the input that names nothing (a category
// for a product, a parent for a category) is BAD_USER_INPUT with the argument; a clash with what exists is CONFLICT.

const productNotFound = (id: string) => ErrorCode.NOT_FOUND.err(`There is no product ${id}.`, { extensions: { argument: "id" } });
const categoryNotFound = (id: string) => ErrorCode.NOT_FOUND.err(`There is no category ${id}.`, { extensions: { argument: "id" } });
const unknownCategory = (argument: string, id: string | null | undefined) =>
  ErrorCode.BAD_USER_INPUT.err(`${argument} ${JSON.stringify(id)} does not name a category.`, { extensions: { argument } });
const slugTaken = (slug: string | undefined) =>
  ErrorCode.CONFLICT.err(`The slug ${JSON.stringify(slug)} is already used by another category.`, {
    extensions: { argument: "input.slug" },
  });

export const Mutation: MutationResolvers = {
  async createProduct(_parent, { input }, { store, viewer }) {
    requireAdmin(viewer);
    const product = validateNewProduct(input);
    const result = await store.createProduct(product);
    switch (result.outcome) {
      case "created":
        return result.product;
      case "duplicate_sku":
        throw ErrorCode.CONFLICT.err(`The SKU ${product.sku} is already used by another product.`, {
          extensions: { argument: "input.sku" },
        });
      case "unknown_category":
        throw unknownCategory("input.categoryId", product.categoryId);
    }
  },

  async updateProduct(_parent, { id, input }, { store, viewer }) {
    requireAdmin(viewer);
    const changes = validateProductChanges(input);
    if (!isUuid(id)) throw productNotFound(id);
    const result = await store.updateProduct(id, changes);
    switch (result.outcome) {
      case "updated":
        return result.product;
      case "not_found":
        throw productNotFound(id);
      case "unknown_category":
        throw unknownCategory("input.categoryId", changes.categoryId);
    }
  },

  async archiveProduct(_parent, { id }, { store, viewer }) {
    requireAdmin(viewer);
    const product = isUuid(id) ? await store.setProductActive(id, false) : null;
    if (!product) throw productNotFound(id);
    return product;
  },

  async restoreProduct(_parent, { id }, { store, viewer }) {
    requireAdmin(viewer);
    const product = isUuid(id) ? await store.setProductActive(id, true) : null;
    if (!product) throw productNotFound(id);
    return product;
  },

  async createCategory(_parent, { input }, { store, viewer }) {
    requireAdmin(viewer);
    const category = validateNewCategory(input);
    const result = await store.createCategory(category);
    switch (result.outcome) {
      case "created":
        return result.category;
      case "duplicate_slug":
        throw slugTaken(category.slug);
      case "unknown_parent":
        throw unknownCategory("input.parentId", category.parentId);
    }
  },

  async updateCategory(_parent, { id, input }, { store, viewer }) {
    requireAdmin(viewer);
    const changes = validateCategoryChanges(input);
    if (!isUuid(id)) throw categoryNotFound(id);
    const result = await store.updateCategory(id, changes);
    switch (result.outcome) {
      case "updated":
        return result.category;
      case "duplicate_slug":
        throw slugTaken(changes.slug);
      case "not_found":
        throw categoryNotFound(id);
    }
  },

  async moveCategory(_parent, { id, parentId }, { store, viewer }) {
    requireAdmin(viewer);
    if (!isUuid(id)) throw categoryNotFound(id);
    const newParent = parentId == null ? null : validateCategoryReference(parentId, "parentId");
    const result = await store.moveCategory(id, newParent);
    switch (result.outcome) {
      case "moved":
        return result.category;
      case "not_found":
        throw categoryNotFound(id);
      case "unknown_parent":
        throw unknownCategory("parentId", parentId);
      case "cycle":
        throw ErrorCode.CONFLICT.err("A category cannot move under itself or a category below it: the tree would become a cycle.", {
          extensions: { argument: "parentId" },
        });
    }
  },
};
