import type { ProductResolvers } from "../generated/resolvers-types.ts";

export const Product: ProductResolvers = {
  // Other subgraphs reference a product by id or by sku; both batch through DataLoader.
  __resolveReference(reference, { loaders }) {
    if ("id" in reference && typeof reference.id === "string") return loaders.productById.load(reference.id);
    return loaders.productBySku.load((reference as { sku: string }).sku);
  },
  price: (product) => ({ amount: product.priceAmount, currency: product.priceCurrency }),
  category: (product, _args, { loaders }) => (product.categoryId ? loaders.categoryById.load(product.categoryId) : null),
  images: (product) => product.imageUrls,
};
