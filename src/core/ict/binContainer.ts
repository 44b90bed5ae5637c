/**
 * The container both ICT files use (ict_head.bin, ict_head_lod.bin): a 12-byte preamble (4-byte
 * magic, uint32 version, uint32 header length, little-endian), a JSON header checked against a zod
 * schema, then the binary data. One reader, so both files fail the same way on the same damage,
 * each error naming its file (`fail`).
 */
import type { z } from 'zod';

export const CONTAINER_PREAMBLE = 12;

export interface Container<H> {
  header: H;
  bytes: Uint8Array;
  /** Byte offset of the data after the header. */
  dataStart: number;
}

export function readContainer<S extends z.ZodType>(
  buffer: ArrayBuffer | Uint8Array,
  { magic: expected, what, schema, fail }: { magic: string; what: string; schema: S; fail: (message: string) => never },
): Container<z.infer<S>> {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  if (bytes.length < CONTAINER_PREAMBLE) fail(`file is ${bytes.length} bytes, too short to be one`);
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic !== expected) fail(`bad magic '${magic}' (expected '${expected}'): not ${what}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(4, true);
  if (version !== 1) fail(`unsupported version ${version} (this app reads version 1)`);
  const headerBytes = dv.getUint32(8, true);
  const dataStart = CONTAINER_PREAMBLE + headerBytes;
  if (dataStart > bytes.length) fail(`header says ${headerBytes} bytes but the file ends after ${bytes.length - CONTAINER_PREAMBLE}: truncated`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes.subarray(CONTAINER_PREAMBLE, dataStart)));
  } catch (e) {
    fail(`header is not valid JSON (${(e as Error).message})`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail(`header field '${issue.path.join('.') || '(root)'}': ${issue.message}`);
  }
  return { header: parsed.data as z.infer<S>, bytes, dataStart };
}
