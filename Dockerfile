# syntax=docker/dockerfile:1
#
# One image for every TypeScript service of OrderLab (orders, fulfillment, notifications,
# gateway, traffic). compose.yaml picks the service with `command:`, e.g.
#   command: ["node", "services/orders/dist/src/main.js"]
# and runs the one-shot migrations with the same image (services/<s>/dist/src/cli.js).
#
# What to look at: the stages (dependencies from the lockfile, compile, production-only
# dependencies, a small runtime that runs as the unprivileged `node` user), and what the
# runtime needs besides compiled code: /proto (loaded by @orderlab/contracts at run time) and
# services/<s>/migrations (read by `cli.js migrate`).
#
# Tracing: the traced services start with the platform's hook before their main.js,
#   command: ["node", "--import", "/app/packages/platform/dist/src/tracing/register.js", …]
# (it starts the OpenTelemetry SDK, or loads nothing when TRACING_ENABLED=false). The hook is
# compiled with packages/platform and the SDK is one of its production dependencies, so the
# stages below ship both without a line of their own.
#
# Build: docker compose build   (or: docker build -t orderlab .)

# Node 24 LTS, pinned to the patch release so a rebuild gets the same runtime.
FROM node:24.22.3-bookworm-slim AS base
WORKDIR /app

# ---- deps: every workspace's dependencies, dev ones included (tsc, @types) ----------------
FROM base AS deps
# Only the manifests first, so this layer is rebuilt when dependencies change, not on every edit.
# npm ci needs every workspace of the root package.json, so each manifest is listed here.
COPY package.json package-lock.json ./
COPY packages/platform/package.json packages/platform/
COPY packages/contracts/package.json packages/contracts/
COPY services/orders/package.json services/orders/
COPY services/fulfillment/package.json services/fulfillment/
COPY services/notifications/package.json services/notifications/
COPY services/gateway/package.json services/gateway/
COPY services/traffic/package.json services/traffic/
COPY tools/lab/package.json tools/lab/
COPY tools/dashboards/package.json tools/dashboards/
COPY bench/package.json bench/
COPY tests/e2e/package.json tests/e2e/
# --ignore-scripts: no dependency needs an install script to work (protobufjs' only prints a
# version check); skipping them keeps the build offline-safe once the cache is warm.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts --no-audit --no-fund

# ---- build: compile the services and the packages they reference (tsc -b follows references)
FROM deps AS build
COPY tsconfig.base.json tsconfig.json ./
COPY proto proto
COPY packages packages
COPY services services
RUN npx tsc -b services/orders services/fulfillment services/notifications services/gateway services/traffic

# ---- prod-deps: only the runtime dependencies of the five services -----------------------
# `npm ci --omit=dev` with -w for each service: the workspaces they depend on (platform,
# contracts) come along; the test, bench and runner workspaces and every dev tool stay out.
FROM base AS prod-deps
COPY --from=deps /app/package.json /app/package-lock.json ./
COPY --from=deps /app/packages packages
COPY --from=deps /app/services services
COPY --from=deps /app/tools/lab/package.json tools/lab/
COPY --from=deps /app/tools/dashboards/package.json tools/dashboards/
COPY --from=deps /app/bench/package.json bench/
COPY --from=deps /app/tests/e2e/package.json tests/e2e/
RUN --mount=type=cache,target=/root/.npm \
    rm -rf node_modules packages/*/node_modules services/*/node_modules \
    && npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
       -w services/orders -w services/fulfillment -w services/notifications -w services/gateway -w services/traffic

# ---- runtime ----------------------------------------------------------------------------
FROM base AS runtime
ENV NODE_ENV=production
# Files stay owned by root: the service (user node) can read its code but not change it.
# prod-deps brings the manifests and every node_modules folder (npm nests some packages
# inside a workspace, e.g. packages/platform/node_modules/ajv); build adds the compiled code.
COPY --from=prod-deps /app ./
COPY --from=build /app/proto proto
COPY --from=build /app/packages/platform/dist/src packages/platform/dist/src
COPY --from=build /app/packages/contracts/dist/src packages/contracts/dist/src
COPY --from=build /app/services/orders/dist/src services/orders/dist/src
COPY --from=build /app/services/orders/migrations services/orders/migrations
COPY --from=build /app/services/fulfillment/dist/src services/fulfillment/dist/src
COPY --from=build /app/services/fulfillment/migrations services/fulfillment/migrations
COPY --from=build /app/services/notifications/dist/src services/notifications/dist/src
COPY --from=build /app/services/notifications/migrations services/notifications/migrations
COPY --from=build /app/services/gateway/dist/src services/gateway/dist/src
COPY --from=build /app/services/traffic/dist/src services/traffic/dist/src
USER node
# No default service: Compose names one with `command:`; run alone, the image says how.
CMD ["node", "-e", "process.stderr.write('choose a service: node services/<orders|fulfillment|notifications|gateway|traffic>/dist/src/main.js\\n'); process.exit(64)"]
