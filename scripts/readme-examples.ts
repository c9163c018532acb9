// The README's GraphQL examples: each ```graphql block is one named operation, the ```json block under it its
// variables. Read by the README test (which runs them against the shop) and the schema check (which validates them
// against the API schema), so both see the same operations.
import { Kind, type OperationDefinitionNode, parse } from "graphql";

export interface ReadmeExample {
  readonly name: string;
  readonly query: string;
  readonly variables: unknown;
  /** Line of the opening fence in the README. */
  readonly line: number;
}

/** The README's operations in order, each with the variables block that follows it (before the next operation). */
export function readmeExamples(markdown: string, file = "README.md"): ReadmeExample[] {
  const examples: ReadmeExample[] = [];
  const fence = /^```(\w+)\n([\s\S]*?)^```$/gm;
  for (const match of markdown.matchAll(fence)) {
    const [, language, body = ""] = match;
    const line = markdown.slice(0, match.index).split("\n").length;
    if (language === "graphql") {
      const operations = parse(body).definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
      if (operations.length !== 1) throw new Error(`${file}:${line}: one operation per block, so it runs without an operationName`);
      const name = operations[0]?.name?.value;
      if (!name) throw new Error(`${file}:${line}: the operation has a name that later examples can refer to`);
      examples.push({ name, query: body, variables: undefined, line });
    } else if (language === "json" && examples.length > 0) {
      const last = examples.at(-1);
      if (last && last.variables === undefined) examples[examples.length - 1] = { ...last, variables: JSON.parse(body) as unknown };
    }
  }
  return examples;
}
