import { readFileSync, watch } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { ApolloServerOptions, ApolloServerPlugin, BaseContext, GraphQLRequest } from "@apollo/server";
import { ErrorCode } from "@storefront/errors";
import type { Logger } from "@storefront/service";
import { type DocumentNode, type FragmentDefinitionNode, Kind, type OperationDefinitionNode, parse, stripIgnoredCharacters } from "graphql";
import { rootFieldsOf } from "./limits/rules.ts";

export type PersistedOperationsMode = "off" | "prefer" | "safelist";

export interface PersistedOperationsSettings {
  readonly mode: PersistedOperationsMode;
  /** The manifest file; required unless the mode is `off`. */
  readonly manifestPath?: string;
  /** Automatic persisted queries (Apollo's APQ): clients register queries by hash at run time. */
  readonly apq: boolean;
}

/** The operations of a manifest: each one's text by id, and every text for safelist checks. */
export interface PersistedOperationsManifest {
  readonly byId: ReadonlyMap<string, string>;
  /** The texts with whitespace, commas and comments stripped (graphql-js's stripIgnoredCharacters). */
  readonly bodies: ReadonlySet<string>;
}

const emptyManifest: PersistedOperationsManifest = { byId: new Map(), bodies: new Set() };

/** Thrown for a manifest that cannot be used; the message names the file and what is wrong. */
export class InvalidManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidManifestError";
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Reads a manifest in either format a frontend build writes: Apollo's persisted query manifest
 * (`{ format: "apollo-persisted-query-manifest", version: 1, operations: [{ id, name, type, body }] }`) or
 * GraphQL Code Generator's `persisted-documents.json` (`{ "<hash>": "<document>" }`). Every body must parse.
 */
export function parseManifest(json: string, source = "the manifest"): PersistedOperationsManifest {
  let content: unknown;
  try {
    content = JSON.parse(json);
  } catch (error) {
    throw new InvalidManifestError(`${source} is not JSON: ${(error as Error).message}`);
  }
  const entries: [string, unknown][] = [];
  if (isRecord(content) && content.format === "apollo-persisted-query-manifest") {
    if (content.version !== 1) throw new InvalidManifestError(`${source}: only version 1 of apollo-persisted-query-manifest is known`);
    if (!Array.isArray(content.operations)) throw new InvalidManifestError(`${source}: "operations" must be an array`);
    for (const [index, operation] of content.operations.entries()) {
      if (!isRecord(operation) || typeof operation.id !== "string" || operation.id === "") {
        throw new InvalidManifestError(`${source}: operation ${index} has no string "id"`);
      }
      entries.push([operation.id, operation.body]);
    }
  } else if (isRecord(content)) {
    entries.push(...Object.entries(content));
  } else {
    throw new InvalidManifestError(`${source} is neither an Apollo persisted query manifest nor a persisted-documents.json object`);
  }
  const byId = new Map<string, string>();
  const bodies = new Set<string>();
  for (const [id, body] of entries) {
    if (typeof body !== "string") throw new InvalidManifestError(`${source}: the body of operation "${id}" is not a string`);
    let stripped: string;
    try {
      parse(body, { noLocation: true });
      stripped = stripIgnoredCharacters(body);
    } catch (error) {
      throw new InvalidManifestError(`${source}: operation "${id}" is not a GraphQL document: ${(error as Error).message}`);
    }
    byId.set(id, body);
    bodies.add(stripped);
  }
  return { byId, bodies };
}

const unreadable = (file: string, error: unknown) =>
  new InvalidManifestError(`the persisted operations manifest ${file} cannot be read: ${(error as Error).message}`);

/** The id a request names its operation by instead of sending the text: APQ's sha256Hash or GraphQL-over-HTTP's documentId. */
function requestedId(request: GraphQLRequest): { id: string; from: "persistedQuery" | "documentId" } | undefined {
  if (request.query !== undefined) return undefined;
  const hash = request.extensions?.persistedQuery?.sha256Hash;
  if (typeof hash === "string") return { id: hash, from: "persistedQuery" };
  const body = request.http?.body;
  const documentId =
    request.http?.method === "GET"
      ? new URLSearchParams(request.http.search).get("documentId")
      : isRecord(body) && typeof body.documentId === "string"
        ? body.documentId
        : null;
  return documentId ? { id: documentId, from: "documentId" } : undefined;
}

/** True when an operation asks only for `__typename`, `__schema` or `__type`: the router answers those itself. */
function asksOnlyMetaFields(operation: OperationDefinitionNode, document: DocumentNode): boolean {
  const fragment = (name: string) =>
    document.definitions.find(
      (definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION && definition.name.value === name,
    );
  const fields = rootFieldsOf(operation, fragment);
  return fields.length > 0 && fields.every((field) => field.name.value.startsWith("__"));
}

type PersistedQueriesOption = ApolloServerOptions<BaseContext>["persistedQueries"];

/**
 * Persisted operations at the router: Apollo Server's APQ, plus a manifest of trusted operations a frontend
 * build writes. Clients send a manifest operation's id (`extensions.persistedQuery.sha256Hash`, as Apollo
 * Client's persisted query link does, or `documentId`, as GraphQL Code Generator's client preset does) and the
 * router runs its text; in `safelist` mode nothing else runs. The manifest is read here, so a missing or bad
 * one stops the router before it starts, and again whenever its file changes; a change that fails to load
 * keeps the previous one.
 */
export function createPersistedOperations(settings: PersistedOperationsSettings, logger: Logger) {
  const manifestPath = settings.manifestPath;
  if (settings.mode !== "off" && !manifestPath) {
    throw new InvalidManifestError(`PERSISTED_OPERATIONS_MODE=${settings.mode} needs PERSISTED_OPERATIONS_PATH, the manifest to serve`);
  }
  let lastJson = "";
  let manifest = emptyManifest;
  if (manifestPath && settings.mode !== "off") {
    try {
      lastJson = readFileSync(manifestPath, "utf8");
    } catch (error) {
      throw unreadable(manifestPath, error);
    }
    manifest = parseManifest(lastJson, manifestPath);
  }

  const listed = (source: string | undefined): boolean => {
    if (source === undefined) return false;
    try {
      return manifest.bodies.has(stripIgnoredCharacters(source));
    } catch {
      return false;
    }
  };

  const plugin: ApolloServerPlugin<BaseContext> = {
    async serverWillStart() {
      if (!manifestPath) return;
      logger.info({ file: manifestPath, operations: manifest.byId.size, mode: settings.mode }, "persisted operations loaded");
      let timer: NodeJS.Timeout | undefined;
      const reload = async () => {
        try {
          const json = await readFile(manifestPath, "utf8").catch((error) => {
            throw unreadable(manifestPath, error);
          });
          if (json === lastJson) return;
          lastJson = json;
          manifest = parseManifest(json, manifestPath);
          logger.info({ file: manifestPath, operations: manifest.byId.size }, "persisted operations reloaded");
        } catch (error) {
          logger.error({ err: error, file: manifestPath }, "persisted operations reload failed; the previous list stays in force");
        }
      };
      // The directory is watched, not the file: deployments replace the file (a rename, a ConfigMap's symlink swap).
      const watcher = watch(path.dirname(manifestPath), () => {
        clearTimeout(timer);
        timer = setTimeout(() => void reload(), 100).unref();
      });
      // Watching never keeps the process alive: stopping is Apollo's serverWillStop below.
      watcher.unref();
      return {
        async serverWillStop() {
          clearTimeout(timer);
          watcher.close();
        },
      };
    },
    async requestDidStart({ request }) {
      const requested = requestedId(request);
      if (requested) {
        const body = manifest.byId.get(requested.id) ?? manifest.byId.get(requested.id.replace(/^sha256:/, ""));
        if (body !== undefined) {
          // Run the manifest's text as if the client had sent it; APQ is not involved (a manifest id need not be a sha256).
          request.query = body;
          const { persistedQuery: _persistedQuery, ...extensions } = request.extensions ?? {};
          request.extensions = extensions;
        } else if (requested.from === "documentId") {
          // Unknown here: the APQ store may still know it; if not, Apollo answers PERSISTED_QUERY_NOT_FOUND.
          const sha256Hash = requested.id.replace(/^sha256:/, "");
          request.extensions = { ...request.extensions, persistedQuery: { version: 1, sha256Hash } };
        }
      }
      if (settings.mode !== "safelist") return;
      return {
        async didResolveOperation({ source, operation, document }) {
          if (listed(source)) return;
          if (operation && asksOnlyMetaFields(operation, document)) return;
          throw ErrorCode.PERSISTED_QUERY_NOT_IN_LIST.err(
            "This router runs only the operations of its persisted operations list, and this one is not in it: send a listed operation by id (extensions.persistedQuery.sha256Hash or documentId) or with its exact text.",
            { extensions: { http: { status: 400 } } },
          );
        },
      };
    },
  };

  // Without APQ, a manifest id the manifest lacks must still answer PERSISTED_QUERY_NOT_FOUND (not "not supported"): a store that keeps nothing.
  const keepsNothing = { get: async () => undefined, set: async () => {}, delete: async () => true };
  const persistedQueries: PersistedQueriesOption = settings.apq ? undefined : settings.mode !== "off" ? { cache: keepsNothing } : false;

  return {
    plugin: settings.mode === "off" ? undefined : plugin,
    /** For ApolloServer's `persistedQueries`: its APQ with the default in-memory store, or off. */
    persistedQueries,
    /** The manifest in force (tests, diagnostics). */
    current: () => manifest,
  };
}
