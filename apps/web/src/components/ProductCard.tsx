import { useState } from "react";
import { Link } from "react-router";
import { type FragmentType, getFragmentData, graphql } from "../gql/index.ts";
import { Price } from "./ui.tsx";

export const ProductCardFields = graphql(`
  fragment ProductCard_product on Product {
    id
    name
    images
    price {
      amount
      currency
    }
    inStock
  }
`);

/** The product's main image, or its initials while there is none or it cannot load. */
export function ProductImage({
  src,
  name,
  size,
}: {
  readonly src: string | undefined;
  readonly name: string;
  readonly size: "card" | "page";
}) {
  const [failed, setFailed] = useState(false);
  if (!src || failed) {
    const initials = name
      .split(/\s+/)
      .filter((word) => /^\p{L}/u.test(word))
      .slice(0, 2)
      .map((word) => word[0])
      .join("");
    // A colour of its own per product, so a page of placeholders still tells products apart.
    const hue = [...name].reduce((sum, char) => (sum * 31 + (char.codePointAt(0) ?? 0)) % 360, 0);
    return (
      <div className={`product-image placeholder ${size}`} style={{ "--hue": hue } as React.CSSProperties} aria-hidden="true">
        {initials}
      </div>
    );
  }
  // In a card the name is the link's text; the picture adds nothing for a screen reader.
  return (
    <img className={`product-image ${size}`} src={src} alt={size === "card" ? "" : name} loading="lazy" onError={() => setFailed(true)} />
  );
}

export function stockText(inStock: boolean | null | undefined): string {
  if (inStock === null || inStock === undefined) return "Stock unknown";
  return inStock ? "In stock" : "Out of stock";
}

export function ProductCard(props: { readonly product: FragmentType<typeof ProductCardFields> }) {
  const product = getFragmentData(ProductCardFields, props.product);
  return (
    <article className="product-card">
      <ProductImage src={product.images[0]} name={product.name} size="card" />
      <h2>
        <Link to={`/products/${product.id}`}>{product.name}</Link>
      </h2>
      <p>
        <Price money={product.price} />
      </p>
      <p className={product.inStock ? "stock in" : "stock out"}>{stockText(product.inStock)}</p>
    </article>
  );
}
