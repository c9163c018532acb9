/**
 * The Node flags the router runs with: in the image (Dockerfile's CMD), in docker-compose.yml, `npm start -w router`
 * and the benchmarks (bench/gateway.ts, bench/router.ts); `test/deployment/docker-compose.test.ts` keeps them the
 * same. Workers started by `WORKERS` inherit them (node:cluster forks with the primary's flags).
 *
 * `--max-semi-space-size=8`: V8 otherwise grows the young generation to 2 × 64 MiB under load, and old-space garbage
 * comes on top; under the gateway benchmark's loads the router then held about 540 MiB. With semi-spaces of at most
 * 8 MiB it held about 440 MiB and answered as many requests per second (4 MiB: 424 MiB, but more CPU per request).
 * See bench/README.md.
 */
export const routerNodeFlags: readonly string[] = ["--max-semi-space-size=8"];
