# syntax=docker/dockerfile:1
#
# Referral OS: one image for the API (default command), the worker and the `refos` CLI.
#   docker build -t referral-os .
#   API:     docker run -p 3000:3000 -e DATABASE_URL=... -e ADMIN_TOKEN=... -e ENCRYPTION_KEY=... -e AGENT_JWT_SECRET=... referral-os
#   worker:  docker run ... referral-os node dist/apps/worker/src/main.js
#   CLI:     docker run --rm -e REFOS_API_URL=... -e REFOS_API_KEY=... referral-os refos whoami
# docker-compose.yml runs the whole set (postgres, redis, api, worker, mail catcher).

ARG NODE_IMAGE=node:20-slim

# ---- build: every dependency, compile with swc, then drop the dev dependencies ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# No install-time telemetry from @scarf/scarf (pulled in by swagger-ui-dist).
ENV SCARF_ANALYTICS=false \
    npm_config_fund=false \
    npm_config_audit=false \
    npm_config_update_notifier=false
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci
# Only what the build reads: no local .data (it may hold an admin token), dist or node_modules.
COPY .swcrc tsconfig.json ./
COPY apps ./apps
COPY libs ./libs
COPY migrations ./migrations
RUN npm run build \
 && npm prune --omit=dev \
 && chmod 0755 dist/apps/cli/src/main.js

# ---- runtime: production dependencies and the compiled code, owned by root, run as `node` ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data \
    npm_config_update_notifier=false
WORKDIR /app
# DATA_DIR is only written to when DATABASE_URL, ADMIN_TOKEN or ENCRYPTION_KEY is left unset
# (embedded database, generated secrets); it is the one place the app user may write.
RUN mkdir -p /data && chown node:node /data
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN ln -s /app/dist/apps/cli/src/main.js /usr/local/bin/refos
USER node
EXPOSE 3000
# Liveness only (/health/ready also checks PostgreSQL and Redis); node:20-slim has no curl or wget.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/apps/api/src/main.js"]
