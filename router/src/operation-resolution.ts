import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { GraphQLError } from "graphql";

/**
 * Refuses a request whose document holds no operation to run (an unknown `operationName`, or
 * several operations and no name) with 400 OPERATION_RESOLUTION_FAILURE, as Apollo Server does
 * for a plain schema. With a gateway, Apollo hands such a request to the executor, which fails
 * as a 500 instead.
 */
export function refuseUnresolvedOperations<Context extends BaseContext>(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request }) {
          if (operation) return;
          const message = request.operationName
            ? `Unknown operation named "${request.operationName}".`
            : "Must provide operationName: the document holds more than one operation.";
          throw new GraphQLError(message, { extensions: { code: "OPERATION_RESOLUTION_FAILURE", http: { status: 400 } } });
        },
      };
    },
  };
}
