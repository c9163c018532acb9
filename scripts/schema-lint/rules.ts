// The project's own schema conventions as graphql-eslint rules (npm run schema:lint), next to graphql-eslint's.
import type { GraphQLESLintRule } from "@graphql-eslint/eslint-plugin";
import { type ConstDirectiveNode, isCompositeType, Kind, type TypeNode } from "graphql";

/** The named type at the bottom of a type, and whether a list wraps it. */
function unwrap(type: TypeNode): { name: string; list: boolean } {
  let list = false;
  let node = type;
  while (node.kind !== Kind.NAMED_TYPE) {
    if (node.kind === Kind.LIST_TYPE) list = true;
    node = node.type;
  }
  return { name: node.name.value, list };
}

/** `refundedAmount` → ["refunded", "amount"]. */
const words = (name: string) => name.split(/(?=[A-Z])/).map((word) => word.toLowerCase());

const amountWords = new Set(["amount", "price", "total", "subtotal", "cost", "fee", "balance"]);

/** A name that says it holds an amount of money: `price`, `unitPrice`, `lineTotal`, `amountDue` (not `totalCount`). */
export function namesAnAmount(name: string): boolean {
  const parts = words(name);
  return amountWords.has(parts.at(-1) ?? "") || parts[0] === "amount";
}

type MoneyOptions = [{ moneyTypes: string[] }];

/**
 * Amounts of money are `Money` (output) or `MoneyInput` (input): integer minor units with their currency, never a
 * bare Int or Float whose currency a client must guess. Applies to fields, input fields and arguments named as amounts.
 */
export const moneyForAmounts: GraphQLESLintRule<MoneyOptions> = {
  meta: {
    type: "problem",
    docs: { category: "Schema", description: "Amounts of money are Money / MoneyInput, not bare numbers." },
    schema: {
      type: "array",
      items: { type: "object", properties: { moneyTypes: { type: "array", items: { type: "string" } } }, additionalProperties: false },
    },
    messages: {
      notMoney: "`{{name}}` holds an amount of money: make it {{expected}} (integer minor units with a currency), not {{actual}}.",
    },
  },
  create(context) {
    const moneyTypes = new Set(context.options[0]?.moneyTypes ?? ["Money", "MoneyInput"]);
    const check = (
      node: { rawNode: () => { name: { value: string }; type: TypeNode } },
      parentName: string | undefined,
      input: boolean,
    ) => {
      const raw = node.rawNode();
      if (!namesAnAmount(raw.name.value) || (parentName && moneyTypes.has(parentName))) return;
      const { name } = unwrap(raw.type);
      if (moneyTypes.has(name)) return;
      context.report({
        node: node as never,
        messageId: "notMoney",
        data: { name: raw.name.value, expected: input ? "MoneyInput" : "Money", actual: name },
      });
    };
    return {
      FieldDefinition(node) {
        check(node, (node.parent as { name?: { value: string } } | undefined)?.name?.value, false);
      },
      InputValueDefinition(node) {
        const parent = node.parent as { kind?: string; name?: { value: string } } | undefined;
        check(node, parent?.kind === Kind.FIELD_DEFINITION ? undefined : parent?.name?.value, true);
      },
    };
  },
};

const isListSize = (directive: ConstDirectiveNode) => /(^|__)listSize$/.test(directive.name.value);
const listSizeArgument = (directives: readonly ConstDirectiveNode[] | undefined, argument: string) =>
  (directives ?? []).filter(isListSize).some((directive) => directive.arguments?.some((arg) => arg.name.value === argument));

/**
 * Lists that grow are Relay connections sliced by `first` (`@listSize(slicingArguments: ["first"], ...)`); a list of
 * objects that cannot grow without bound says how long it gets (`@listSize(assumedSize: N)`), which the router's cost
 * limit reads. A list field with neither is a list nobody decided about.
 */
export const listShape: GraphQLESLintRule = {
  meta: {
    type: "problem",
    docs: { category: "Schema", description: "A list of objects is a connection, or declares its bound with @listSize(assumedSize:)." },
    schema: [],
    messages: {
      unbounded:
        '`{{field}}` is a list of {{type}} with no declared bound: make it a connection (first/after, @listSize(slicingArguments: ["first"], sizedFields: ["edges"])) if it grows, or give it @listSize(assumedSize: N).',
      unsliced: '`{{field}}` returns a connection: give it @listSize(slicingArguments: ["first"], sizedFields: ["edges"]).',
    },
  },
  create(context) {
    const schema = context.sourceCode.parserServices.schema;
    return {
      FieldDefinition(node) {
        const raw = node.rawNode();
        const parent = (node.parent as { name?: { value: string } } | undefined)?.name?.value ?? "";
        const { name, list } = unwrap(raw.type);
        const field = `${parent}.${raw.name.value}`;
        if (name.endsWith("Connection") && !listSizeArgument(raw.directives, "slicingArguments")) {
          context.report({ node: node.name as never, messageId: "unsliced", data: { field } });
        }
        const type = schema?.getType(name);
        if (!list || !type || !isCompositeType(type)) return;
        const isEdges = raw.name.value === "edges" && parent.endsWith("Connection");
        if (!isEdges && !listSizeArgument(raw.directives, "assumedSize")) {
          context.report({ node: node.name as never, messageId: "unbounded", data: { field, type: name } });
        }
      },
    };
  },
};

/** The rules above as an ESLint plugin. */
export const storefrontSchemaRules = { rules: { "money-for-amounts": moneyForAmounts, "list-shape": listShape } };
