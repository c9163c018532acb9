import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import { clientAddressOf } from "../src/index.ts";

const request = (headers: Record<string, string>, remoteAddress?: string) =>
  ({ headers, socket: { remoteAddress } }) as unknown as IncomingMessage;

describe("which client a request comes from", () => {
  it("is the connection's peer at the edge (no trusted proxy), whatever X-Forwarded-For claims", () => {
    assert.equal(clientAddressOf(request({ "x-forwarded-for": "203.0.113.7" }, "198.51.100.2"), 0), "198.51.100.2");
  });

  it("behind one proxy, is the last X-Forwarded-For entry, whatever the client put before it", () => {
    assert.equal(clientAddressOf(request({ "x-forwarded-for": "203.0.113.7" }, "10.0.0.3"), 1), "203.0.113.7");
    assert.equal(clientAddressOf(request({ "x-forwarded-for": "198.51.100.66, 203.0.113.7" }, "10.0.0.3"), 1), "203.0.113.7");
    assert.equal(clientAddressOf(request({ "x-forwarded-for": "2001:db8::1" }, "10.0.0.3"), 1), "2001:db8::1");
  });

  it("counts back one entry per trusted proxy when a load balancer stands in front of the router", () => {
    const chain = { "x-forwarded-for": "198.51.100.66, 203.0.113.7, 10.0.0.9" };
    assert.equal(clientAddressOf(request(chain, "10.0.0.3"), 2), "203.0.113.7");
  });

  it("is the connection's peer when X-Forwarded-For is missing or not an address", () => {
    assert.equal(clientAddressOf(request({}, "::ffff:127.0.0.1"), 1), "127.0.0.1");
    assert.equal(clientAddressOf(request({ "x-forwarded-for": "not-an-ip" }, "192.0.2.4"), 1), "192.0.2.4");
  });

  it("is unknown for in-process calls without a connection", () => {
    assert.equal(clientAddressOf({} as IncomingMessage, 1), null);
  });
});
