/**
 * Minimal, bounds-checked protobuf wire-format reader: just enough to pull fields out of
 * MediaPipe's small metadata protos without a protobuf dependency or generated code.
 * Every read checks the buffer end, so a truncated or hostile file throws instead of
 * reading garbage.
 */

export const WireType = { VARINT: 0, FIXED64: 1, LEN: 2, START_GROUP: 3, END_GROUP: 4, FIXED32: 5 } as const;

export interface ProtoField {
  field: number;
  wireType: number;
  /** VARINT: the value (exact up to 2^53). FIXED32/FIXED64: offset of the bytes. LEN: payload length. */
  value: number;
  /** Start offset of the payload (LEN, FIXED32, FIXED64). */
  offset: number;
}

export class ProtoReader {
  private pos: number;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    private readonly end = bytes.length,
  ) {
    if (start < 0 || end > bytes.length || start > end) throw new Error(`protobuf: bad range ${start}..${end} of ${bytes.length}`);
    this.pos = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Error('protobuf: truncated varint');
      const b = this.bytes[this.pos++];
      // Multiplication, not shifts: JS bit ops are 32-bit and would wrap above 2^31.
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new Error('protobuf: varint longer than 10 bytes');
  }

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.end) throw new Error(`protobuf: field needs ${n} bytes, ${this.end - this.pos} left`);
  }

  /** Next field header + value; LEN/FIXED payloads are skipped and located by offset. */
  next(): ProtoField {
    const key = this.varint();
    const field = Math.floor(key / 8);
    const wireType = key & 7;
    if (field === 0) throw new Error('protobuf: field number 0');
    const offset = this.pos;
    switch (wireType) {
      case WireType.VARINT:
        return { field, wireType, value: this.varint(), offset };
      case WireType.FIXED64:
        this.need(8);
        this.pos += 8;
        return { field, wireType, value: offset, offset };
      case WireType.FIXED32:
        this.need(4);
        this.pos += 4;
        return { field, wireType, value: offset, offset };
      case WireType.LEN: {
        const len = this.varint();
        this.need(len);
        const start = this.pos;
        this.pos += len;
        return { field, wireType, value: len, offset: start };
      }
      default:
        // Groups are deprecated and never used by MediaPipe's metadata.
        throw new Error(`protobuf: unsupported wire type ${wireType} (field ${field})`);
    }
  }

  float32At(offset: number): number {
    if (offset < 0 || offset + 4 > this.end) throw new Error('protobuf: float out of range');
    return this.view.getFloat32(offset, true);
  }

  /** A sub-reader over a LEN field's payload. */
  sub(f: ProtoField): ProtoReader {
    if (f.wireType !== WireType.LEN) throw new Error(`protobuf: field ${f.field} is not length-delimited`);
    return new ProtoReader(this.bytes, f.offset, f.offset + f.value);
  }
}

/** Appends a repeated float field's values; accepts both packed (LEN) and unpacked (FIXED32) encodings. */
export function readRepeatedFloat(r: ProtoReader, f: ProtoField, out: number[]): void {
  if (f.wireType === WireType.FIXED32) {
    out.push(r.float32At(f.offset));
  } else if (f.wireType === WireType.LEN) {
    if (f.value % 4 !== 0) throw new Error(`protobuf: packed float field ${f.field} has ${f.value} bytes`);
    for (let o = f.offset; o < f.offset + f.value; o += 4) out.push(r.float32At(o));
  } else {
    throw new Error(`protobuf: field ${f.field} has wire type ${f.wireType}, expected float`);
  }
}

/** Appends a repeated varint field's values; accepts packed and unpacked encodings. */
export function readRepeatedVarint(r: ProtoReader, f: ProtoField, out: number[]): void {
  if (f.wireType === WireType.VARINT) {
    out.push(f.value);
  } else if (f.wireType === WireType.LEN) {
    const s = r.sub(f);
    while (!s.done) out.push(s.varint());
  } else {
    throw new Error(`protobuf: field ${f.field} has wire type ${f.wireType}, expected varint`);
  }
}
