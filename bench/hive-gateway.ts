// Hive Gateway for bench/gateway.ts to compare against: The Guild's gateway runtime (@graphql-hive/gateway-runtime,
// the engine of the `hive-gateway` CLI) with default settings over a static supergraph, served by node:http as its
// documentation shows. The one addition forwards the client's Authorization header to the subgraphs (propagateHeaders),
// without which no signed-in page can be answered. No usage reporting: that needs a registry token, and none is given.
// Run as its own process: SUPERGRAPH_PATH (routing URLs already pointing at the subgraphs) and PORT.
import { readFileSync } from "node:fs";
import { createServer, type RequestListener } from "node:http";

/** What this file hands the runtime: its default settings, plus the one addition. */
interface HiveGatewayConfig {
  readonly supergraph: () => string;
  readonly propagateHeaders: {
    readonly fromClientToSubgraphs: (payload: { request: Request }) => Record<string, string>;
  };
}

// Imported by a name the type checker does not follow: the runtime's types bring graphql-yoga's declaration of
// `GraphQLErrorExtensions.http`, which clashes with Apollo Server's wherever one program checks both (`tsc -p .`).
const runtimePackage: string = "@graphql-hive/gateway-runtime";
const { createGatewayRuntime } = (await import(runtimePackage)) as {
  createGatewayRuntime: (config: HiveGatewayConfig) => RequestListener;
};

const supergraphPath = process.env.SUPERGRAPH_PATH;
if (!supergraphPath) throw new Error("SUPERGRAPH_PATH is required");
const supergraph = readFileSync(supergraphPath, "utf8");

const gateway = createGatewayRuntime({
  supergraph: () => supergraph,
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }): Record<string, string> => {
      const authorization = request.headers.get("authorization");
      return authorization ? { authorization } : {};
    },
  },
});
const port = Number(process.env.PORT ?? 4200);
const server = createServer(gateway).listen(port, "127.0.0.1", () => console.log(`Hive Gateway ready at http://127.0.0.1:${port}/graphql`));
// the runtime disposes of itself on SIGTERM but leaves the HTTP server (and so the process) running
process.once("SIGTERM", () => server.close(() => process.exit(0)).closeAllConnections());
