# syntax=docker/dockerfile:1
# One image per function:  docker build --build-arg FUNCTION=<appId> -t taskfn/<appId>:<tag> .
# The migration Job's image: docker build --target migrate -t taskfn/migrate:<tag> .
# scripts/docker-rehearsal.test.ts re-enacts the `function` stage without Docker,
# copying exactly what its COPY --from=build lines name: keep those the only way in.

# Also the Node that builds the startup snapshots (build stage): a blob starts only on
# the binary that built it. Tests and the benchmark install this version from npm.
ARG NODE_IMAGE=node:24.22.3-bookworm-slim

# Dependencies from the lockfile only, so this layer is reused until it changes.
# --ignore-scripts: the postinstall (prisma generate) needs the schema, copied
# next; nothing else taskfn needs builds on install.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY prisma.config.ts ./
COPY prisma ./prisma
RUN npm run generate

# Every function is bundled in one esbuild pass, so this stage is the same for
# all of them and the builder's cache serves every FUNCTION. --snapshots: each
# function's startup snapshot too, built by this image's node.
FROM deps AS build
COPY . .
RUN npm run build -- --snapshots

# `prisma migrate deploy` for the migration Job. The schema engine links
# against OpenSSL, which the slim image lacks; Prisma picks the engine build for
# the OpenSSL it finds, so it is fetched (at build time: the Job needs no
# network beyond the database) on the same base the Job runs.
FROM ${NODE_IMAGE} AS migrate-runtime
RUN apt-get update \
  && apt-get install -y --no-install-recommends openssl \
  && rm -rf /var/lib/apt/lists/*

FROM migrate-runtime AS migrate-engine
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
RUN node node_modules/@prisma/engines/scripts/postinstall.js

FROM migrate-runtime AS migrate
ENV NODE_ENV=production \
    CHECKPOINT_DISABLE=1
WORKDIR /app
COPY --from=migrate-engine /app/node_modules ./node_modules
COPY --from=deps /app/package.json /app/prisma.config.ts ./
COPY --from=deps /app/prisma ./prisma
USER 1000:1000
CMD ["node", "node_modules/prisma/build/index.js", "migrate", "deploy"]

# The function: its bundle alone (node_modules, the Prisma client and its query
# compiler are inlined) and its startup snapshot, as the image's non-root user.
# Last: the default target.
FROM ${NODE_IMAGE} AS function
ARG FUNCTION
RUN test -n "$FUNCTION" || (echo "build with --build-arg FUNCTION=<appId>" >&2; exit 1)
ENV NODE_ENV=production \
    PORT=8080
WORKDIR /app
COPY --from=build --chown=1000:1000 /app/dist/${FUNCTION}/ ./
# Numeric, so Kubernetes can verify runAsNonRoot (the image's `node` user is 1000).
USER 1000:1000
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# No --enable-source-maps: it adds ~15 ms of CPU to every cold start and 2.4 MiB of
# memory, and the bundle is not minified, so stack traces already name real
# functions. index.mjs.map ships beside it: NODE_OPTIONS=--enable-source-maps maps
# them back to the sources when needed.
# It starts from the startup snapshot (modules already evaluated; see
# toolkit/build-snapshot.ts and bench/ for what it saves); `node index.mjs` runs
# the same function without it.
CMD ["node", "--snapshot-blob", "snapshot.blob"]
