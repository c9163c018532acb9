// The six subgraphs and their default ports: the one list every service and script reads.
export const subgraphNames = ["users", "catalog", "inventory", "cart", "orders", "payments"] as const;
export type SubgraphName = (typeof subgraphNames)[number];

/** The embedded layout, also used where no `<NAME>_URL` is configured. */
export const defaultSubgraphPorts: Readonly<Record<SubgraphName, number>> = {
  users: 4001,
  catalog: 4002,
  inventory: 4003,
  cart: 4004,
  orders: 4005,
  payments: 4006,
};
