# One image for both roles: `node dist/src/main.js` (api) and `node dist/src/worker.js` (worker).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/package.json ./
# GraphiQL lists and opens these operations (/graphiql).
COPY --from=build /app/examples ./examples
EXPOSE 4000
# --max-semi-space-size: see src/node-flags.ts.
CMD ["node", "--max-semi-space-size=32", "dist/src/main.js"]
