/** Where an order ships to, copied from the customer's address book at checkout. */
export interface ShippingAddress {
  readonly recipientName: string;
  readonly line1: string;
  readonly line2: string | null;
  readonly city: string;
  readonly region: string | null;
  readonly postalCode: string;
  readonly countryCode: string;
  readonly phone: string | null;
}
