// Small pieces every page uses: titles, loading and empty states, money.
import { useEffect } from "react";
import { formatMoney, type Money } from "../money.ts";

/** Sets the document title, which screen readers announce after a client-side navigation. */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Storefront`;
  }, [title]);
}

export function Loading({ label }: { readonly label: string }) {
  return (
    <p className="loading" role="status">
      {label}…
    </p>
  );
}

export function Empty({ children }: { readonly children: React.ReactNode }) {
  return <div className="empty">{children}</div>;
}

export function Price({ money }: { readonly money: Money | null | undefined }) {
  return <span className="price">{money ? formatMoney(money) : "—"}</span>;
}

/** The "Load more" button under a list that has more pages (useMorePages), busy while the next one loads. */
export function LoadMore({ pages }: { readonly pages: { readonly hasMore: boolean; readonly fetching: boolean; loadMore(): void } }) {
  if (!pages.hasMore) return null;
  return (
    <button type="button" className="load-more" onClick={pages.loadMore} disabled={pages.fetching} aria-busy={pages.fetching}>
      {pages.fetching ? "Loading…" : "Load more"}
    </button>
  );
}

/** An idempotency key for one intended order, payment or refund (crypto.randomUUID needs a secure context; this does not). */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
