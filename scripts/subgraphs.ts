// The six subgraphs, their default ports, and where their files live: one list for every script.
import path from "node:path";

export const repoRoot = path.resolve(import.meta.dirname, "..");

export const subgraphNames = ["users", "catalog", "inventory", "cart", "orders", "payments"] as const;
export type SubgraphName = (typeof subgraphNames)[number];

export const defaultPorts: Record<SubgraphName, number> = {
  users: 4001,
  catalog: 4002,
  inventory: 4003,
  cart: 4004,
  orders: 4005,
  payments: 4006,
};

export const sdlPath = (name: SubgraphName) => path.join(repoRoot, "subgraphs", name, "schema.graphql");
export const prismaDir = (name: SubgraphName) => path.join(repoRoot, "prisma", name);
export const supergraphPath = path.join(repoRoot, "schema", "supergraph.graphql");
