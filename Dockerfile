# CitySport cloud API for 微信云托管 (WeChat Cloud Hosting) or any container platform.
# Several replicas run behind the platform's load balancer on one MongoDB replica set: jobs take
# leases, rate limits, nonces and idempotency claims live in the database (docs/deploy.md).
#
# Runtime: tsx (esbuild transpiles the TypeScript on load; the type check runs in CI, not here).
# The three workspaces the API needs (cloud, shared, and mock's nothing) are TypeScript sources
# consumed through workspace links; tsx keeps one code path for dev, tests and production.
FROM node:20-bookworm-slim

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    npm_config_update_notifier=false

WORKDIR /app

# dependencies first (cached layer): only the workspaces the API runs
COPY package.json package-lock.json ./
COPY shared/package.json shared/package.json
COPY cloud/package.json cloud/package.json
# scripts off: the postinstall prepares the embedded development engine, which production never uses
# (MONGODB_URI is required); tsx is a root devDependency and is the runtime, so dev deps are kept
RUN npm ci --ignore-scripts --include=dev --workspace shared --workspace cloud --include-workspace-root \
    && npm cache clean --force

COPY tsconfig.json ./
COPY shared/src shared/src
COPY cloud/src cloud/src

# non-root: the image's `node` user owns nothing it could rewrite
USER node

EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/v1/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"

# every secret comes from the environment (docs/deploy.md); a missing or development secret stops the start
CMD ["node_modules/.bin/tsx", "cloud/src/server.ts"]
