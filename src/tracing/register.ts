/**
 * Imported first by the api and worker entry points: starts tracing (when OTEL_EXPORTER_OTLP_ENDPOINT
 * is set) before `http` and `pg` are loaded, so their instrumentation can patch them.
 */
import { loadConfig } from '../config';
import { startTracing } from './tracing';

const worker = /worker(\.[jt]s)?$/.test(process.argv[1] ?? '');
const config = loadConfig().tracing;
startTracing(config, { serviceName: worker && !process.env.OTEL_SERVICE_NAME ? `${config.serviceName}-worker` : config.serviceName });
