# Production image of the diplomatic-itinerary API.
#   docker build -t itinerary-api .
#   docker run -p 3000:3000 -e DATABASE_URL=postgresql://... -e API_TOKENS=desk:a-long-secret itinerary-api
# Without DATABASE_URL the server uses an embedded PGlite in /app/.data (mount a volume there to
# keep it). The server applies prisma/migrations itself at start; no migration step is needed.
# Only classic Dockerfile syntax is used, so docker-compose 1.x (legacy builder) builds it too.

# ---- build: install everything, generate the Prisma client, compile, drop dev dependencies ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false

# Dependencies first, so that this layer is reused while only src/ changes.
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts ./
# The image's npm (10.x with Node 20) would run dependencies' install scripts that npm 11 on the
# project's machines skips: @prisma/engines' downloads a native engine nothing here uses. So no
# install scripts run, and the one the project relies on (postinstall = db:generate, which
# writes the Prisma client into src/generated/prisma) is run explicitly.
RUN npm ci --ignore-scripts && npm run db:generate

COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# tsc -p tsconfig.build.json: src/ -> dist/, so src/server.ts -> dist/server.js.
RUN npm run build

# Keep runtime dependencies only. `--omit=optional` as well as `--omit=dev` because the prisma
# CLI and typescript are also optional peers of @prisma/client ("devOptional" in the lockfile),
# which --omit=dev alone keeps (~250 MB). No production dependency needs an optional package
# on Linux/Node (pg's pg-cloudflare is for Cloudflare Workers only): revisit if one is added.
# Pruning does not run the root postinstall (checked with npm 10 and 11); --ignore-scripts
# makes sure, since prisma generate could not run once the CLI is gone.
RUN npm prune --omit=dev --omit=optional --ignore-scripts

# ---- runtime ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app

# Root-owned and read-only for the app. The server reads prisma/migrations and
# prisma/schema.prisma at ../../prisma from dist/db, i.e. /app/prisma.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/prisma ./prisma
# The only place the app writes: the embedded database's default folder (EMBEDDED_DB_DIR=.data/pglite).
RUN mkdir -p /app/.data && chown node:node /app/.data

USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/server.js"]
