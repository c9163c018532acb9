import { v5 as nameBasedUuid } from "uuid";

// Fixed for good: stored carts carry ids derived with it, so changing it would change every new cart's id.
const CART_ID_NAMESPACE = "0d7f3c4e-2b8a-4e61-9a53-6f1c2d8e7b40";

/**
 * A cart's id, derived from its owner's id (a name-based UUID, RFC 9562 v5). A user who never added anything
 * has no stored cart, yet their empty cart already has the id it keeps once the first item is stored.
 */
export function cartIdOf(userId: string): string {
  return nameBasedUuid(userId.toLowerCase(), CART_ID_NAMESPACE);
}
