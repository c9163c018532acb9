import { Gauge } from "prom-client";
import { metricsRegistry } from "./registry.ts";

/** A connection pool at a glance (node-postgres' pg.Pool counters). */
export interface PoolStats {
  /** Connections open, busy or idle. */
  readonly total: number;
  readonly idle: number;
  /** Queries waiting for a connection. */
  readonly waiting: number;
  /** The most connections the pool opens. */
  readonly max: number;
}

const pools = new Map<object, { service: string; read: () => PoolStats }>();

function gauge(name: string, help: string, pick: (stats: PoolStats) => number): Gauge<"service"> {
  return new Gauge({
    name,
    help,
    labelNames: ["service"] as const,
    registers: [metricsRegistry],
    collect() {
      for (const { service, read } of pools.values()) this.set({ service }, pick(read()));
    },
  });
}

const gauges = [
  gauge("db_pool_connections", "Open database connections (busy or idle), by service.", (stats) => stats.total),
  gauge("db_pool_idle_connections", "Open database connections doing nothing, by service.", (stats) => stats.idle),
  gauge("db_pool_waiting_requests", "Queries waiting for a free database connection, by service.", (stats) => stats.waiting),
  gauge("db_pool_max_connections", "The most database connections the pool opens, by service.", (stats) => stats.max),
];

/** Reports a service's connection pool at every scrape, until the returned function is called. */
export function watchDatabasePool(service: string, read: () => PoolStats): () => void {
  const key = {};
  pools.set(key, { service, read });
  return () => {
    pools.delete(key);
    if (![...pools.values()].some((pool) => pool.service === service)) for (const each of gauges) each.remove({ service });
  };
}
