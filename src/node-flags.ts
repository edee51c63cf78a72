/**
 * Node/V8 flags the API and worker processes run with (scripts/start.ts and the benches pass them;
 * package.json, the Dockerfile and docker-compose.yml spell the same flag out).
 *
 * --max-semi-space-size=32: a young generation of 32 MiB per semi-space instead of V8's 16. Every
 * request and workflow task allocates short-lived objects (rows, GraphQL results, payloads); a larger
 * nursery scavenges less often and promotes less of that to the old generation. Measured with
 * bench:reads / bench:writes (README): API CPU per request -10 to -20 %, applications +20 %.
 */
export const NODE_PROCESS_FLAGS = ['--max-semi-space-size=32'];
