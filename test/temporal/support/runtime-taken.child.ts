/**
 * Child of test/temporal/runtime-install.test.ts: installs the Temporal runtime with the SDK's Prometheus
 * exporter on the address in argv[2] (which the test holds), then connects to Temporal; prints what
 * installRuntime returned and whether the connection came up.
 */
import { NativeConnection } from '@temporalio/worker';
import { installRuntime } from '../../../src/worker-runtime';

async function main(): Promise<void> {
  const on = installRuntime({ prometheusBindAddress: process.argv[2] });
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
  await connection.close();
  process.stdout.write(JSON.stringify({ sdkMetrics: on, connected: true }) + '\n');
}

main().catch((err) => {
  process.stdout.write(JSON.stringify({ error: (err as Error).message }) + '\n');
  process.exit(1);
});
