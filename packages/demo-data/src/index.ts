// The demo shop. Ids are fixed so every subgraph seeds the same products, categories and users.

/** A category of the demo catalog; `parentSlug` makes the tree. */
export interface DemoCategory {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly parentSlug: string | null;
}

/** A product of the demo catalog with its opening stock. */
export interface DemoProduct {
  readonly id: string;
  readonly sku: string;
  readonly name: string;
  readonly description: string;
  /** Minor units of `currency`. */
  readonly priceAmount: number;
  readonly currency: "EUR";
  readonly categorySlug: string;
  readonly stock: number;
}

/** A demo account. */
export interface DemoUser {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: "CUSTOMER" | "ADMIN";
}

export const demoCategories: readonly DemoCategory[] = [
  { id: "4f572b68-da63-4b19-9684-93e383e50931", slug: "audio", name: "Audio", parentSlug: null },
  { id: "59a2c645-6248-413e-a338-d0ec53e62f81", slug: "headphones", name: "Headphones", parentSlug: "audio" },
  { id: "8d40ed96-b8e0-4eb0-96a4-f6c99c705b98", slug: "speakers", name: "Speakers", parentSlug: "audio" },
  { id: "bf361d3c-4bd8-473e-9e3f-fade360b9578", slug: "computing", name: "Computing", parentSlug: null },
  { id: "5947a683-9bc3-4ef9-a247-1e8bc98b0d38", slug: "laptops", name: "Laptops", parentSlug: "computing" },
  { id: "1293b6ae-1151-46c9-b8a8-f20dc2f8e8ed", slug: "accessories", name: "Accessories", parentSlug: "computing" },
  { id: "881c15af-c7c0-419d-973a-e4b581abf206", slug: "home", name: "Home & Kitchen", parentSlug: null },
  { id: "83c63436-2686-47e7-aeb4-99329d909f98", slug: "coffee", name: "Coffee", parentSlug: "home" },
  { id: "dd899950-08b6-4547-910f-ebd0ec180f7a", slug: "cookware", name: "Cookware", parentSlug: "home" },
];

export const demoProducts: readonly DemoProduct[] = [
  {
    id: "c500030b-255c-465e-8e4d-c7f88625de99",
    sku: "HP-ANC-100",
    name: "Aria ANC Headphones",
    description: "Over-ear wireless headphones with active noise cancelling and 40 h battery.",
    priceAmount: 19900,
    currency: "EUR",
    categorySlug: "headphones",
    stock: 25,
  },
  {
    id: "2ecbe40d-4744-494e-a004-496effda50a3",
    sku: "HP-BUD-200",
    name: "Pebble Earbuds",
    description: "True wireless earbuds with a pocket-sized charging case.",
    priceAmount: 8900,
    currency: "EUR",
    categorySlug: "headphones",
    stock: 60,
  },
  {
    id: "162d836e-98a8-4508-b107-a4c867ece216",
    sku: "HP-STU-300",
    name: "Studio Monitor Headphones",
    description: "Closed-back wired headphones for mixing and long sessions.",
    priceAmount: 14900,
    currency: "EUR",
    categorySlug: "headphones",
    stock: 12,
  },
  {
    id: "2abf9c97-7af0-473e-b362-f2e634344318",
    sku: "HP-KID-050",
    name: "Junior Volume-Limited Headphones",
    description: "Volume-limited to 85 dB, in three colours.",
    priceAmount: 2900,
    currency: "EUR",
    categorySlug: "headphones",
    stock: 40,
  },
  {
    id: "7e252162-82d3-41c4-996f-9d074b4d016c",
    sku: "SP-MINI-10",
    name: "Cube Mini Speaker",
    description: "Palm-sized Bluetooth speaker, splash-proof.",
    priceAmount: 3900,
    currency: "EUR",
    categorySlug: "speakers",
    stock: 80,
  },
  {
    id: "e9de8c21-9537-4612-b221-72b7ce3c535d",
    sku: "SP-HOME-20",
    name: "Hearth Smart Speaker",
    description: "Room-filling sound with multi-room grouping.",
    priceAmount: 17900,
    currency: "EUR",
    categorySlug: "speakers",
    stock: 15,
  },
  {
    id: "64d06714-4e9a-4fd0-8cd4-dbc304d05ca2",
    sku: "SP-BAR-30",
    name: "Lumen Soundbar",
    description: "Slim TV soundbar with a wireless subwoofer.",
    priceAmount: 32900,
    currency: "EUR",
    categorySlug: "speakers",
    stock: 6,
  },
  {
    id: "4f398283-342b-46d1-aa7c-aa73b350dbcb",
    sku: "SP-PARTY-40",
    name: "Festival Party Speaker",
    description: "Big sound and lights; 20 h battery.",
    priceAmount: 24900,
    currency: "EUR",
    categorySlug: "speakers",
    stock: 3,
  },
  {
    id: "b836334c-347b-4f2b-88d6-ec0c7bcafd1a",
    sku: "LT-AIR-13",
    name: "Featherlight 13 Laptop",
    description: "13-inch ultralight laptop, 16 GB memory, 512 GB SSD.",
    priceAmount: 109900,
    currency: "EUR",
    categorySlug: "laptops",
    stock: 8,
  },
  {
    id: "ed713560-2c51-41dc-8d36-668cc529918f",
    sku: "LT-PRO-15",
    name: "Forge 15 Pro Laptop",
    description: "15-inch workstation, 32 GB memory, 1 TB SSD.",
    priceAmount: 189900,
    currency: "EUR",
    categorySlug: "laptops",
    stock: 4,
  },
  {
    id: "c79c7102-4a92-46e9-855c-7e75b66f8fac",
    sku: "LT-EDU-11",
    name: "Campus 11 Chromebook",
    description: "Rugged 11-inch laptop for school.",
    priceAmount: 34900,
    currency: "EUR",
    categorySlug: "laptops",
    stock: 20,
  },
  {
    id: "5dcc2e83-b516-4837-a5dd-e69c0b555de6",
    sku: "AC-MOUSE-1",
    name: "Glide Wireless Mouse",
    description: "Quiet clicks, USB-C charging.",
    priceAmount: 2900,
    currency: "EUR",
    categorySlug: "accessories",
    stock: 120,
  },
  {
    id: "07954012-797d-433a-82d2-2cdb4bc43275",
    sku: "AC-KEYB-2",
    name: "Tactile Mechanical Keyboard",
    description: "Hot-swappable switches, aluminium frame.",
    priceAmount: 12900,
    currency: "EUR",
    categorySlug: "accessories",
    stock: 30,
  },
  {
    id: "d3a6868b-f560-4ae0-9e0d-504b7b239164",
    sku: "AC-HUB-3",
    name: "Dock 7-in-1 USB-C Hub",
    description: "HDMI, Ethernet, SD card and 100 W pass-through.",
    priceAmount: 5900,
    currency: "EUR",
    categorySlug: "accessories",
    stock: 45,
  },
  {
    id: "2b8090b9-925c-4de2-870a-88d7b444e972",
    sku: "AC-STAND-4",
    name: "Riser Laptop Stand",
    description: "Folding aluminium stand, six heights.",
    priceAmount: 3900,
    currency: "EUR",
    categorySlug: "accessories",
    stock: 35,
  },
  {
    id: "57c45759-0042-4d49-8988-e64941efbcc3",
    sku: "AC-CABLE-5",
    name: "Braided USB-C Cable 2 m",
    description: "240 W, 40 Gbps.",
    priceAmount: 1900,
    currency: "EUR",
    categorySlug: "accessories",
    stock: 200,
  },
  {
    id: "4585cf88-04c5-402c-a9ad-5ac637a004aa",
    sku: "CF-GRIND-1",
    name: "Burr Coffee Grinder",
    description: "Conical burrs, 40 grind settings.",
    priceAmount: 11900,
    currency: "EUR",
    categorySlug: "coffee",
    stock: 18,
  },
  {
    id: "aa33b3e8-5e70-469f-9d37-2eea70f0c91b",
    sku: "CF-PRESS-2",
    name: "French Press 1 l",
    description: "Double-walled stainless steel.",
    priceAmount: 3400,
    currency: "EUR",
    categorySlug: "coffee",
    stock: 50,
  },
  {
    id: "7f9c5e97-cb0e-43aa-90d9-04972c115bb1",
    sku: "CF-KETTLE-3",
    name: "Gooseneck Kettle",
    description: "Variable temperature, hold function.",
    priceAmount: 7900,
    currency: "EUR",
    categorySlug: "coffee",
    stock: 22,
  },
  {
    id: "4ed959d3-cb49-4102-9639-944ca8624887",
    sku: "CF-BEANS-4",
    name: "House Espresso Beans 1 kg",
    description: "Medium-dark roast, chocolate and hazelnut.",
    priceAmount: 2400,
    currency: "EUR",
    categorySlug: "coffee",
    stock: 90,
  },
  {
    id: "40e85773-c927-4eab-9fbe-bed2fb1f511d",
    sku: "CW-PAN-28",
    name: "Cast Iron Skillet 28 cm",
    description: "Pre-seasoned, oven safe.",
    priceAmount: 4900,
    currency: "EUR",
    categorySlug: "cookware",
    stock: 27,
  },
  {
    id: "0e9166d1-550f-49fb-9af6-d6333af9cb4a",
    sku: "CW-POT-5L",
    name: "Enamel Dutch Oven 5 l",
    description: "For stews, bread and braises.",
    priceAmount: 8900,
    currency: "EUR",
    categorySlug: "cookware",
    stock: 10,
  },
  {
    id: "bbaf3ca2-d46e-487b-b1d7-8e03cb069c95",
    sku: "CW-KNIFE-8",
    name: "Chef Knife 20 cm",
    description: "Forged steel, full tang.",
    priceAmount: 6900,
    currency: "EUR",
    categorySlug: "cookware",
    stock: 33,
  },
  {
    id: "28ef2d8d-3e84-422c-b6ee-0ec73959737a",
    sku: "CW-BOARD-1",
    name: "End-Grain Cutting Board",
    description: "Oiled oak, juice groove.",
    priceAmount: 5900,
    currency: "EUR",
    categorySlug: "cookware",
    stock: 1,
  },
];

export const demoUsers: readonly DemoUser[] = [
  { id: "2b00dee8-cabd-4517-8d23-c2412cc33734", email: "admin@storefront.dev", name: "Ada Admin", role: "ADMIN" },
  { id: "33c0f81c-caea-46d6-b96f-8b19c6e64ab2", email: "customer@storefront.dev", name: "Casey Customer", role: "CUSTOMER" },
];

/** An entry of a demo user's address book. */
export interface DemoAddress {
  readonly id: string;
  readonly userId: string;
  readonly recipientName: string;
  readonly line1: string;
  readonly city: string;
  readonly postalCode: string;
  readonly countryCode: string;
  readonly isDefault: boolean;
}

/** The demo customer ships to this address, so checkout works in Sandbox right after `npm start`. */
export const demoAddresses: readonly DemoAddress[] = [
  {
    id: "6ca581cd-27f3-4fc3-93bb-694768e0c1a8",
    userId: "33c0f81c-caea-46d6-b96f-8b19c6e64ab2",
    recipientName: "Casey Customer",
    line1: "Torstraße 1",
    city: "Berlin",
    postalCode: "10119",
    countryCode: "DE",
    isDefault: true,
  },
];
