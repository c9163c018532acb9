import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { errorCodes, startTestSubgraph } from "@storefront/testkit";
import { MAX_ADDRESSES_PER_USER } from "../src/domain/addresses.ts";
import { usersSubgraph } from "../src/index.ts";
import { as, aUser, type Users } from "./builders.ts";

const ADDRESS_FIELDS = "id recipientName line1 line2 city region postalCode countryCode phone isDefault";
const ADD = `mutation($input: AddressInput!) { addAddress(input: $input) { ${ADDRESS_FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: AddressInput!) { updateAddress(id: $id, input: $input) { ${ADDRESS_FIELDS} } }`;
const REMOVE = "mutation($id: ID!) { removeAddress(id: $id) }";
const SET_DEFAULT = `mutation($id: ID!) { setDefaultAddress(id: $id) { ${ADDRESS_FIELDS} } }`;
const MY_BOOK = "{ me { addresses { id isDefault line1 } defaultAddress { id } } }";

type Address = { id: string; isDefault: boolean; line1: string; countryCode: string; line2: string | null; phone: string | null };

const anAddressInput = (overrides: Record<string, unknown> = {}) => ({
  recipientName: "Ada Lovelace",
  line1: "12 Analytical Street",
  city: "London",
  postalCode: "NW1 6XE",
  countryCode: "gb",
  ...overrides,
});

describe("address books", () => {
  let users: Users;
  before(async () => {
    users = await startTestSubgraph(usersSubgraph);
  });
  after(() => users.close());

  const addAddress = async (owner: { id: string; role: "CUSTOMER" | "ADMIN" }, overrides: Record<string, unknown> = {}) =>
    (await users.query<{ addAddress: Address }>(ADD, { input: anAddressInput(overrides) }, as(owner))).addAddress;
  const bookOf = async (owner: { id: string; role: "CUSTOMER" | "ADMIN" }) =>
    (await users.query<{ me: { addresses: Address[]; defaultAddress: { id: string } | null } }>(MY_BOOK, {}, as(owner))).me;

  it("adds addresses, normalized; the first becomes the default", async () => {
    const customer = await aUser(users.prisma);
    const home = await addAddress(customer, { line2: "  ", phone: " +44 20 7946 0000 ", countryCode: " gb " });
    const work = await addAddress(customer, { line1: "1 Office Road" });

    assert.deepEqual(
      { countryCode: home.countryCode, line2: home.line2, phone: home.phone, isDefault: home.isDefault },
      { countryCode: "GB", line2: null, phone: "+44 20 7946 0000", isDefault: true },
    );
    assert.equal(work.isDefault, false);
    const book = await bookOf(customer);
    assert.deepEqual(
      book.addresses.map((a) => a.id),
      [home.id, work.id],
    );
    assert.equal(book.defaultAddress?.id, home.id);
  });

  it("moves the default with setDefaultAddress, keeping exactly one default", async () => {
    const customer = await aUser(users.prisma);
    const home = await addAddress(customer);
    const work = await addAddress(customer, { line1: "1 Office Road" });

    const result = await users.query<{ setDefaultAddress: Address }>(SET_DEFAULT, { id: work.id }, as(customer));

    assert.equal(result.setDefaultAddress.isDefault, true);
    const book = await bookOf(customer);
    assert.deepEqual(
      book.addresses.map((a) => [a.id, a.isDefault]),
      [
        [work.id, true],
        [home.id, false],
      ],
    );
  });

  it("replaces an address's fields with updateAddress", async () => {
    const customer = await aUser(users.prisma);
    const home = await addAddress(customer, { line2: "Flat 2" });

    const { updateAddress } = await users.query<{ updateAddress: Address }>(
      UPDATE,
      { id: home.id, input: anAddressInput({ line1: "99 New Lane", countryCode: "DE", postalCode: "10115", city: "Berlin" }) },
      as(customer),
    );

    assert.equal(updateAddress.line1, "99 New Lane");
    assert.equal(updateAddress.countryCode, "DE");
    assert.equal(updateAddress.line2, null);
    assert.equal(updateAddress.isDefault, true);
  });

  it("removes an address; a removed default passes to the most recently added remaining one", async () => {
    const customer = await aUser(users.prisma);
    const home = await addAddress(customer);
    const older = await addAddress(customer, { line1: "2 Older Road" });
    const newest = await addAddress(customer, { line1: "3 Newest Road" });

    assert.deepEqual(await users.query(REMOVE, { id: home.id }, as(customer)), { removeAddress: home.id });

    const book = await bookOf(customer);
    assert.deepEqual(
      book.addresses.map((a) => [a.id, a.isDefault]),
      [
        [newest.id, true],
        [older.id, false],
      ],
    );
  });

  it("never lets a customer change or remove another customer's address: NOT_FOUND, nothing changes", async () => {
    const owner = await aUser(users.prisma);
    const intruder = await aUser(users.prisma);
    const home = await addAddress(owner);
    await addAddress(intruder);

    const attempts = [
      await users.execute(UPDATE, { id: home.id, input: anAddressInput({ line1: "Hijacked" }) }, as(intruder)),
      await users.execute(REMOVE, { id: home.id }, as(intruder)),
      await users.execute(SET_DEFAULT, { id: home.id }, as(intruder)),
    ];

    for (const attempt of attempts) assert.deepEqual(errorCodes(attempt), ["NOT_FOUND"]);
    const stored = await users.prisma.address.findUniqueOrThrow({ where: { id: home.id } });
    assert.equal(stored.line1, anAddressInput().line1);
    assert.equal(stored.userId, owner.id);
    assert.equal(stored.isDefault, true);
  });

  it("answers NOT_FOUND for unknown and malformed address ids", async () => {
    const customer = await aUser(users.prisma);
    for (const id of [randomUUID(), "not-an-id"]) {
      assert.deepEqual(errorCodes(await users.execute(REMOVE, { id }, as(customer))), ["NOT_FOUND"]);
      assert.deepEqual(errorCodes(await users.execute(SET_DEFAULT, { id }, as(customer))), ["NOT_FOUND"]);
      assert.deepEqual(errorCodes(await users.execute(UPDATE, { id, input: anAddressInput() }, as(customer))), ["NOT_FOUND"]);
    }
  });

  it("needs a signed-in user for every address change", async () => {
    const owner = await aUser(users.prisma);
    const home = await addAddress(owner);
    assert.deepEqual(errorCodes(await users.execute(ADD, { input: anAddressInput() })), ["UNAUTHENTICATED"]);
    assert.deepEqual(errorCodes(await users.execute(REMOVE, { id: home.id })), ["UNAUTHENTICATED"]);
    assert.equal(await users.prisma.address.count({ where: { userId: owner.id } }), 1);
  });

  for (const [field, value] of [
    ["countryCode", "XX"],
    ["countryCode", "EU"],
    ["countryCode", "DEU"],
    ["phone", "call me maybe"],
    ["recipientName", "   "],
    ["line1", "x".repeat(201)],
    ["postalCode", "1".repeat(21)],
    ["city", "Lon\u0000don"],
  ] as const) {
    it(`refuses ${field} = ${JSON.stringify(value.slice(0, 12))} with BAD_USER_INPUT naming input.${field}, adding nothing`, async () => {
      const customer = await aUser(users.prisma);
      const result = await users.execute(ADD, { input: anAddressInput({ [field]: value }) }, as(customer));
      assert.deepEqual(errorCodes(result), ["BAD_USER_INPUT"]);
      assert.equal(result.errors?.[0]?.extensions?.argument, `input.${field}`);
      assert.equal(await users.prisma.address.count({ where: { userId: customer.id } }), 0);
    });
  }

  it("refuses a bad update without changing the address", async () => {
    const customer = await aUser(users.prisma);
    const home = await addAddress(customer);
    const result = await users.execute(UPDATE, { id: home.id, input: anAddressInput({ countryCode: "ZZ" }) }, as(customer));
    assert.deepEqual(errorCodes(result), ["BAD_USER_INPUT"]);
    assert.equal((await users.prisma.address.findUniqueOrThrow({ where: { id: home.id } })).countryCode, "GB");
  });

  it(`holds at most ${MAX_ADDRESSES_PER_USER} addresses: the next one is a CONFLICT`, async () => {
    const customer = await aUser(users.prisma);
    await users.prisma.address.createMany({
      data: Array.from({ length: MAX_ADDRESSES_PER_USER }, (_, i) => ({
        userId: customer.id,
        recipientName: "Bulk",
        line1: `${i} Bulk Road`,
        city: "Leeds",
        postalCode: "LS1",
        countryCode: "GB",
        isDefault: i === 0,
      })),
    });
    assert.deepEqual(errorCodes(await users.execute(ADD, { input: anAddressInput() }, as(customer))), ["CONFLICT"]);
    assert.equal(await users.prisma.address.count({ where: { userId: customer.id } }), MAX_ADDRESSES_PER_USER);
  });

  it("keeps a single default when two addresses are added to an empty book at once", async () => {
    const customer = await aUser(users.prisma);
    await Promise.all([addAddress(customer, { line1: "A Road" }), addAddress(customer, { line1: "B Road" })]);
    assert.equal(await users.prisma.address.count({ where: { userId: customer.id, isDefault: true } }), 1);
  });
});
