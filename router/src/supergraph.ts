import { watch } from "node:fs";
import { readFile } from "node:fs/promises";
import type { SupergraphSdlHook } from "@apollo/gateway";
import { type EnumTypeDefinitionNode, Kind, parse } from "graphql";
import type { Logger } from "pino";

/** The subgraphs a supergraph routes to, by name (as in `@join__graph`), with their URLs. */
export function subgraphsOf(supergraphSdl: string): { name: string; url: string }[] {
  const graphEnum = parse(supergraphSdl).definitions.find(
    (definition): definition is EnumTypeDefinitionNode =>
      definition.kind === Kind.ENUM_TYPE_DEFINITION && definition.name.value === "join__Graph",
  );
  return (graphEnum?.values ?? []).flatMap((value) => {
    const directive = value.directives?.find((d) => d.name.value === "join__graph");
    const arg = (name: string) => {
      const node = directive?.arguments?.find((a) => a.name.value === name)?.value;
      return node?.kind === Kind.STRING ? node.value : undefined;
    };
    const name = arg("name");
    const url = arg("url");
    return name && url ? [{ name, url }] : [];
  });
}

export interface SupergraphSource {
  /** Hands the gateway the file's SDL, then every new version of it, without a restart. */
  readonly hook: SupergraphSdlHook;
  /** The SDL the gateway is serving now. */
  current(): string | undefined;
}

/**
 * Loads the supergraph from a file and reloads it when the file changes. The gateway swaps
 * schemas between requests, so in-flight requests finish on the schema they started with; a
 * file that fails to load leaves the previous schema serving.
 */
export function supergraphFromFile(file: string, logger: Logger): SupergraphSource {
  let current: string | undefined;
  const hook: SupergraphSdlHook = async ({ update }) => {
    current = await readFile(file, "utf8");
    let timer: NodeJS.Timeout | undefined;
    const reload = async () => {
      try {
        const next = await readFile(file, "utf8");
        if (next === current || next.trim() === "") return;
        update(next);
        current = next;
        logger.info({ file }, "supergraph reloaded");
      } catch (error) {
        logger.error({ err: error, file }, "supergraph reload failed; still serving the previous one");
      }
    };
    // Editors and `npm run compose` write in several steps: wait until the file settles.
    const watcher = watch(file, () => {
      clearTimeout(timer);
      timer = setTimeout(() => void reload(), 200).unref();
    });
    // Watching never keeps the process alive: the gateway's cleanup below stops it.
    watcher.unref();
    return {
      supergraphSdl: current,
      async cleanup() {
        clearTimeout(timer);
        watcher.close();
      },
    };
  };
  return { hook, current: () => current };
}
