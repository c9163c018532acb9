# One image for the router and every subgraph; docker-compose.yml picks the service with `command`.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
ENV CHECKPOINT_DISABLE=1 NODE_ENV=production
COPY package.json package-lock.json .npmrc ./
COPY packages ./packages
COPY subgraphs ./subgraphs
COPY router ./router
COPY prisma ./prisma
COPY scripts ./scripts
# Exactly the lockfile's packages; postinstall generates the Prisma clients (no native engine needed), with the dev
# tools, which are pruned afterwards.
RUN npm ci --include=dev --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 NODE_OPTIONS=--disable-warning=TimeoutNegativeWarning
COPY --from=deps /app ./
COPY schema ./schema
USER node
# Overridden per service in docker-compose.yml. The router's Node flags: router/src/node-flags.ts.
CMD ["node", "--max-semi-space-size=8", "router/src/main.ts"]
