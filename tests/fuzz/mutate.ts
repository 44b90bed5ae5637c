/**
 * Byte-level mutations of valid files for property-based fuzzing (fast-check): truncations,
 * flipped / overwritten bytes, insertions, deletions, duplicated ranges, and "interesting"
 * integers (0, -1, 2^31, …) written over 4 bytes — the values that break length fields.
 */
import fc from 'fast-check';

type Op =
  | { kind: 'truncate'; at: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'overwrite'; at: number; bytes: Uint8Array }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number }
  | { kind: 'u32'; at: number; value: number };

const INTERESTING_U32 = [0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe, 1 << 20, 1 << 24];

/** Positions are fractions of the current length, so every op lands inside whatever size the file has by then. */
// Mostly uniform (fast-check biases numbers towards the ends, which would keep hitting byte 0),
// with some of the biased ones kept for the edges (first / last bytes).
const frac = fc.oneof(
  { arbitrary: fc.noBias(fc.integer({ min: 0, max: 999_999 })).map((x) => x / 1_000_000), weight: 4 },
  { arbitrary: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), weight: 1 },
);
const op: fc.Arbitrary<{ f: number } & Record<string, unknown>> = fc.oneof(
  fc.record({ kind: fc.constant('truncate'), f: frac }),
  fc.record({ kind: fc.constant('set'), f: frac, value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('overwrite'), f: frac, bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('insert'), f: frac, bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete'), f: frac, length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('duplicate'), f: frac, length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('u32'), f: frac, value: fc.constantFrom(...INTERESTING_U32) }),
);

export function mutations(maxOps = 4): fc.Arbitrary<Array<{ f: number } & Record<string, unknown>>> {
  return fc.array(op, { minLength: 1, maxLength: maxOps });
}

export function applyMutations(valid: Uint8Array, ops: ReadonlyArray<{ f: number } & Record<string, unknown>>): Uint8Array<ArrayBuffer> {
  let b: Uint8Array<ArrayBuffer> = new Uint8Array(valid);
  for (const o of ops) {
    const at = Math.floor(o.f * b.length);
    const m = { ...o, at } as unknown as Op;
    switch (m.kind) {
      case 'truncate':
        b = b.slice(0, m.at);
        break;
      case 'set':
        if (b.length) b[Math.min(m.at, b.length - 1)] = m.value;
        break;
      case 'overwrite':
        b.set(m.bytes.subarray(0, Math.max(0, b.length - m.at)), m.at);
        break;
      case 'insert':
        b = concat(b.subarray(0, m.at), m.bytes, b.subarray(m.at));
        break;
      case 'delete':
        b = concat(b.subarray(0, m.at), b.subarray(m.at + m.length));
        break;
      case 'duplicate':
        b = concat(b.subarray(0, m.at + m.length), b.subarray(m.at, m.at + m.length), b.subarray(m.at + m.length));
        break;
      case 'u32':
        if (m.at + 4 <= b.length) new DataView(b.buffer, b.byteOffset).setUint32(m.at, m.value, true);
        break;
    }
  }
  return b;
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Runs per property: bounded in `npm test`, 10,000 in `npm run fuzz`. */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 150);

/**
 * The contract for hostile input: a result, or an error of the parser's own kind with a message.
 * A TypeError / RangeError from deep inside (an out-of-bounds read, a failed allocation, a blown
 * stack) or a thrown non-Error fails the property.
 */
export function expectCleanFailure(e: unknown, accept: (e: Error) => boolean): void {
  if (!(e instanceof Error)) throw new Error(`threw a non-Error: ${String(e)}`);
  if (e instanceof TypeError || e instanceof RangeError || e instanceof SyntaxError || !accept(e) || !e.message)
    throw new Error(`unexpected ${e.name}: ${e.message}\n${e.stack?.split('\n').slice(1, 4).join('\n')}`);
}
