/**
 * Serving the metrics: `GET /metrics` on the API's express app, and a small HTTP listener of its own in
 * the worker process (WORKER_METRICS_PORT). The worker's page also carries the Temporal SDK's runtime
 * metrics (workflow/activity task latencies, slots, polls, sticky cache...): the SDK's Prometheus
 * exporter listens on TEMPORAL_SDK_METRICS_ADDRESS (loopback by default) and its text is appended, so
 * Prometheus scrapes one target per process. With METRICS_BEARER_TOKEN set, both ask for
 * `Authorization: Bearer <token>`.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Request, Response } from 'express';
import type { AppConfig } from '../config';
import type { Logger } from '../logger';
import { businessMetricsText } from './collectors';
import { registry } from './registry';

function authorized(header: string | undefined, token: string): boolean {
  if (!token) return true;
  const expected = Buffer.from(`Bearer ${token}`);
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The Temporal SDK exporter's text, or '' when it is off or does not answer. */
async function temporalSdkMetrics(address: string): Promise<string> {
  if (!address) return '';
  try {
    const host = address.replace(/^0\.0\.0\.0:/, '127.0.0.1:');
    const res = await fetch(`http://${host}/metrics`, { signal: AbortSignal.timeout(2000) });
    return res.ok ? await res.text() : '';
  } catch {
    return '';
  }
}

/**
 * The exposition text: this process's registry; with `business` (the API) the database-wide gauges;
 * then `extra` (the worker's Temporal SDK metrics).
 */
export async function metricsText(opts: { business?: boolean; extra?: string } = {}): Promise<string> {
  const parts = [await registry.metrics()];
  if (opts.business) parts.push(await businessMetricsText());
  if (opts.extra) parts.push(opts.extra);
  return `${parts.map((p) => p.trimEnd()).join('\n')}\n`;
}

/** Express handler for the API's GET /metrics. */
export function metricsHandler(config: AppConfig) {
  return async (req: Request, res: Response): Promise<void> => {
    if (!authorized(req.headers.authorization, config.metrics.bearerToken)) {
      res.status(401).set('WWW-Authenticate', 'Bearer').type('text/plain').send('metrics need Authorization: Bearer <METRICS_BEARER_TOKEN>\n');
      return;
    }
    res.set('Content-Type', registry.contentType).set('Cache-Control', 'no-store').send(await metricsText({ business: true }));
  };
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * The worker's listener: GET /metrics (own registry + the Temporal SDK's), anything else 404. Port 0 in
 * `port` picks a free port (tests). A port already taken is logged and the worker runs without it.
 */
export async function startMetricsServer(opts: { port: number; host: string; config: AppConfig; log: Logger; temporalSdkAddress?: string }): Promise<MetricsServer | undefined> {
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found; metrics are at /metrics\n');
        return;
      }
      if (!authorized(req.headers.authorization, opts.config.metrics.bearerToken)) {
        res.writeHead(401, { 'Content-Type': 'text/plain', 'WWW-Authenticate': 'Bearer' }).end('metrics need Authorization: Bearer <METRICS_BEARER_TOKEN>\n');
        return;
      }
      try {
        const text = await metricsText({ extra: await temporalSdkMetrics(opts.temporalSdkAddress ?? '') });
        res.writeHead(200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' }).end(text);
      } catch (err) {
        opts.log.warn({ err: (err as Error).message }, 'metrics scrape failed');
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end('metrics scrape failed\n');
      }
    })();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.host, () => resolve());
    });
  } catch (err) {
    opts.log.warn({ err: (err as Error).message, port: opts.port }, 'worker metrics listener not started (port taken?); set WORKER_METRICS_PORT');
    return undefined;
  }
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
