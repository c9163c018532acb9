import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SERVICE_SECRET_MIN_LENGTH, serviceClientIds } from "@storefront/auth";
import { InvalidEnvironmentError } from "@storefront/service";
import { generateServiceSecrets, serviceSecretsEnv, serviceSecretsFromEnv, serviceSecretVariable } from "../src/index.ts";

const A_SECRET = "k7Qm2pX9vR4tL8wZ1nB6cY3hJ5dF0sGa";

describe("service client secrets from the environment", () => {
  it("reads SERVICE_CLIENT_SECRET_<CLIENT> into the client's secret", () => {
    assert.equal(serviceSecretVariable("orders"), "SERVICE_CLIENT_SECRET_ORDERS");
    assert.deepEqual(serviceSecretsFromEnv("users", { SERVICE_CLIENT_SECRET_ORDERS: A_SECRET }), { orders: A_SECRET });
  });

  it("leaves out clients whose secret is not set, and ignores variables of clients nobody registered", () => {
    assert.deepEqual(serviceSecretsFromEnv("users", {}), {});
    assert.deepEqual(serviceSecretsFromEnv("users", { SERVICE_CLIENT_SECRET_ORDERS: undefined }), {});
    assert.deepEqual(serviceSecretsFromEnv("users", { SERVICE_CLIENT_SECRET_PAYMENTS: A_SECRET }), {});
  });

  it("refuses a secret shorter than the minimum, naming the variable and the service", () => {
    const short = A_SECRET.slice(0, SERVICE_SECRET_MIN_LENGTH - 1);
    assert.throws(
      () => serviceSecretsFromEnv("orders", { SERVICE_CLIENT_SECRET_ORDERS: short }),
      (error) => {
        assert.ok(error instanceof InvalidEnvironmentError);
        assert.match(error.message, /^orders: invalid environment/);
        assert.equal(error.issues.length, 1);
        assert.match(error.issues[0] ?? "", /^SERVICE_CLIENT_SECRET_ORDERS: must be at least 32 characters/);
        return true;
      },
    );
    // an empty value is no way around the minimum either
    assert.throws(() => serviceSecretsFromEnv("orders", { SERVICE_CLIENT_SECRET_ORDERS: "" }), InvalidEnvironmentError);
    // exactly the minimum is enough
    assert.deepEqual(serviceSecretsFromEnv("orders", { SERVICE_CLIENT_SECRET_ORDERS: A_SECRET.slice(0, SERVICE_SECRET_MIN_LENGTH) }), {
      orders: A_SECRET.slice(0, SERVICE_SECRET_MIN_LENGTH),
    });
  });
});

describe("generated service secrets", () => {
  it("makes a secret of at least the minimum length for every registered client", () => {
    const secrets = generateServiceSecrets();

    assert.deepEqual(Object.keys(secrets).sort(), [...serviceClientIds].sort());
    assert.ok(serviceClientIds.length > 0);
    for (const [clientId, secret] of Object.entries(secrets)) {
      assert.ok(secret.length >= SERVICE_SECRET_MIN_LENGTH, `${clientId}: ${secret.length} characters`);
    }
  });

  it("makes different secrets each time", () => {
    const first = generateServiceSecrets();
    const second = generateServiceSecrets();
    for (const clientId of serviceClientIds) assert.notEqual(first[clientId], second[clientId], clientId);
  });

  it("hands generated secrets to a subgraph process through serviceSecretsEnv unchanged", () => {
    const secrets = generateServiceSecrets();

    const env = serviceSecretsEnv(secrets);

    assert.deepEqual(Object.keys(env).sort(), serviceClientIds.map(serviceSecretVariable).sort());
    assert.deepEqual(serviceSecretsFromEnv("users", env), secrets);
  });
});
