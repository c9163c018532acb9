// Sees every statement a PrismaClient sends through the driver adapter, so tests can count queries (N+1 checks).
import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQueryable, Transaction } from "@prisma/driver-adapter-utils";

export type Statement = { sql: string; args: unknown[] };
export type QueryListener = (statement: Statement) => void;

function watchQueries(queryable: SqlQueryable, emit: QueryListener): void {
  const queryRaw = queryable.queryRaw.bind(queryable);
  const executeRaw = queryable.executeRaw.bind(queryable);
  queryable.queryRaw = (query) => {
    emit({ sql: query.sql, args: query.args });
    return queryRaw(query);
  };
  queryable.executeRaw = (query) => {
    emit({ sql: query.sql, args: query.args });
    return executeRaw(query);
  };
}

// BEGIN/COMMIT/ROLLBACK are reported on both backends: adapter-pg sends them as statements, PGlite
// ("phantom" transactions) inside its transaction() helper, where no queryRaw would see them.
function watchTransaction(tx: Transaction, emit: QueryListener): Transaction {
  watchQueries(tx, emit);
  if (tx.options.usePhantomQuery) {
    const commit = tx.commit.bind(tx);
    const rollback = tx.rollback.bind(tx);
    tx.commit = () => {
      emit({ sql: "COMMIT", args: [] });
      return commit();
    };
    tx.rollback = () => {
      emit({ sql: "ROLLBACK", args: [] });
      return rollback();
    };
  }
  return tx;
}

function watchAdapter(adapter: SqlDriverAdapter, emit: QueryListener): SqlDriverAdapter {
  watchQueries(adapter, emit);
  const executeScript = adapter.executeScript.bind(adapter);
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.executeScript = (script) => {
    emit({ sql: script, args: [] });
    return executeScript(script);
  };
  adapter.startTransaction = async (isolationLevel) => {
    emit({ sql: "BEGIN", args: [] });
    return watchTransaction(await startTransaction(isolationLevel), emit);
  };
  return adapter;
}

export function watchAdapterFactory(factory: SqlDriverAdapterFactory, emit: QueryListener): SqlDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => watchAdapter(await factory.connect(), emit),
  };
}
