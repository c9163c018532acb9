import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { silentLogger } from "@storefront/service";
import { startPeriodicJob } from "../src/periodic-job.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("periodic jobs", () => {
  it("runs every period, goes on after a failing run, never overlaps, and stops after the run in progress", async () => {
    let runs = 0;
    let inFlight = 0;
    let overlapped = false;
    let finished = 0;
    const stop = startPeriodicJob(
      {
        name: "test",
        everyMs: 10,
        async run() {
          runs++;
          inFlight++;
          overlapped ||= inFlight > 1;
          await sleep(15);
          inFlight--;
          finished++;
          if (runs === 2) throw new Error("a bad run");
        },
      },
      silentLogger(),
    );
    while (runs < 4) await sleep(5);
    await stop();
    const runsAtStop = runs;
    await sleep(50);

    assert.equal(overlapped, false);
    assert.equal(finished, runs, "stop waited for the run in progress");
    assert.equal(runs, runsAtStop, "nothing runs after stop");
  });
});
