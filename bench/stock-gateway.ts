// The stock @apollo/gateway for bench/gateway.ts to compare against, set up as Apollo's documentation does: an
// ApolloServer (standalone HTTP server) over an ApolloGateway with default settings and a static supergraph. The one
// addition forwards the client's Authorization header to the subgraphs, without which no signed-in page can be
// answered. Run as its own process: SUPERGRAPH_PATH (routing URLs already pointing at the subgraphs) and PORT.
import { readFileSync } from "node:fs";
import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";

interface ForwardingContext {
  readonly authorization: string | undefined;
}

const supergraphPath = process.env.SUPERGRAPH_PATH;
if (!supergraphPath) throw new Error("SUPERGRAPH_PATH is required");
// nothing leaves the machine (the bench sets it too; a gateway started by hand must not phone home either)
process.env.APOLLO_TELEMETRY_DISABLED = "true";

const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(supergraphPath, "utf8"),
  buildService: ({ url }) =>
    new RemoteGraphQLDataSource<ForwardingContext>({
      url,
      willSendRequest({ request, context }) {
        if (context.authorization) request.http?.headers.set("authorization", context.authorization);
      },
    }),
});
const server = new ApolloServer<ForwardingContext>({ gateway });
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(process.env.PORT ?? 4100), host: "127.0.0.1" },
  context: async ({ req }) => ({ authorization: req.headers.authorization }),
});
console.log(`stock @apollo/gateway ready at ${url}`);
