/**
 * Recorded workflow histories (temporal/histories/*.json) for replay tests: written by
 * scripts/record-histories.ts, replayed by test/workflows/replay.test.ts.
 *
 * Format: `{ workflowId, workflowType, recordedAt, history }` where `history` is the protobuf History as
 * protobufjs `toObject` JSON (int64 as strings, enums by name, bytes base64). Not the proto3-JSON of
 * `temporal workflow show -o json`: in SDK 1.24.0 `historyToJSON`/`historyFromJSON` throw "type must be a
 * Type" here (@temporalio/common bundles protobufjs 8, @temporalio/proto is built with protobufjs 7), so we
 * convert with @temporalio/proto's own classes, which round-trip exactly.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import type { DataConverter } from '@temporalio/common';
import { projectRoot } from '../src/config';
import { dataConverterFor } from '../src/temporal-codec';

export type History = temporal.api.history.v1.IHistory;

export const HISTORIES_DIR = join(projectRoot(), 'temporal', 'histories');

/**
 * The payload key the recorded histories are sealed with (histories recorded before the payload codec
 * are plain JSON and pass through). A published test key, never used for real data.
 */
export const RECORDING_PAYLOAD_KEY = 'cmVwbGF5LWNvcnB1cy1wdWJsaWMtdGVzdC1rZXktMDE=';

/** The data converter that reads the recorded histories. */
export function recordingDataConverter(): DataConverter {
  return dataConverterFor({ payloadKey: RECORDING_PAYLOAD_KEY, payloadOldKeys: '', production: false });
}

export interface RecordedHistory {
  name: string;
  workflowId: string;
  workflowType: string;
  recordedAt: string;
  history: History;
}

export function encodeHistory(history: History): Record<string, unknown> {
  const message = temporal.api.history.v1.History.fromObject(history);
  return temporal.api.history.v1.History.toObject(message, { longs: String, enums: String, bytes: String });
}

export function decodeHistory(json: Record<string, unknown>): History {
  return temporal.api.history.v1.History.fromObject(json);
}

/** Every recorded history in the directory, by file name (without .json). */
export function loadRecordedHistories(dir = HISTORIES_DIR): RecordedHistory[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const raw = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Omit<RecordedHistory, 'name' | 'history'> & { history: Record<string, unknown> };
      return { ...raw, name: f.replace(/\.json$/, ''), history: decodeHistory(raw.history) };
    });
}
