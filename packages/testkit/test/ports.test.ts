// Test files run side by side, and each hands ports to services that bind them seconds later: two files must never be
// handed the same port, and the kernel must not give it to anyone meanwhile.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { describe, it } from "node:test";
import { freePort } from "@storefront/testkit";
import { claimPort } from "../src/ports.ts";

const linux = process.platform === "linux";
const ephemeralLow = linux ? Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]) : 0;
const portsModule = new URL("../src/ports.ts", import.meta.url).href;

/** Another process that claims `count` ports, prints them and stays alive until told to exit. */
async function claimInAnotherProcess(count: number) {
  const script = `
    const { freePort } = await import(${JSON.stringify(portsModule)});
    const ports = [];
    for (let i = 0; i < ${count}; i++) ports.push(await freePort());
    process.stdout.write(JSON.stringify(ports) + "\\n");
    process.stdin.resume();
    process.stdin.on("end", () => process.exit(0));`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["pipe", "pipe", "inherit"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  while (!output.includes("\n")) await once(child.stdout, "data");
  return { ports: JSON.parse(output) as number[], child };
}

describe("freePort", { skip: !linux && "the ephemeral port range is read from Linux's /proc" }, () => {
  it("hands out ports below the kernel's ephemeral range that can be bound", async () => {
    const port = await freePort();
    assert.ok(port >= 20_000 && port < ephemeralLow, `${port} is below ${ephemeralLow}`);
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", resolve));
    await new Promise((resolve) => server.close(resolve));
  });

  it("never hands a port claimed by one live process to another, nor the same port twice", async () => {
    // 300 random picks each out of some 12,000 ports would collide almost surely without the claims
    const other = await claimInAnotherProcess(300);
    try {
      const mine: number[] = [];
      for (let i = 0; i < 300; i++) mine.push(await freePort());
      assert.equal(new Set(mine).size, mine.length, "no port twice in one process");
      const shared = mine.filter((port) => other.ports.includes(port));
      assert.deepEqual(shared, [], "no port handed to both processes");
    } finally {
      other.child.stdin.end();
      await once(other.child, "exit");
    }
  });

  it("takes over the claims of a process killed outright, and only those", async () => {
    const alive = await claimInAnotherProcess(1);
    const killed = await claimInAnotherProcess(1);
    try {
      const [held = 0] = alive.ports;
      const [left = 0] = killed.ports;
      assert.equal(claimPort(held), false, "a live process keeps its claim");
      killed.child.kill("SIGKILL"); // no exit handler runs: its claim stays on disk
      await once(killed.child, "exit");
      assert.equal(claimPort(left), true, "the dead process's claim is taken over");
      assert.equal(claimPort(left), false, "and is now this process's");
    } finally {
      if (killed.child.exitCode === null && killed.child.signalCode === null) killed.child.kill("SIGKILL");
      alive.child.stdin.end();
      await once(alive.child, "exit");
    }
  });
});
