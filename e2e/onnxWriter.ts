// Tiny ONNX models written by hand (protobuf field numbers from onnx.proto), so e2e tests can
// serve deterministic synthetic models without Python or a model hub.

class Pb {
  private parts: number[] = [];
  private varint(v: number | bigint) {
    let x = BigInt(v);
    if (x < 0n) x += 1n << 64n;
    do {
      let b = Number(x & 0x7fn);
      x >>= 7n;
      if (x > 0n) b |= 0x80;
      this.parts.push(b);
    } while (x > 0n);
  }
  int(field: number, v: number) {
    this.varint((field << 3) | 0);
    this.varint(v);
    return this;
  }
  bytes(field: number, b: Uint8Array) {
    this.varint((field << 3) | 2);
    this.varint(b.length);
    for (const x of b) this.parts.push(x);
    return this;
  }
  str(field: number, s: string) {
    return this.bytes(field, new TextEncoder().encode(s));
  }
  msg(field: number, m: Pb) {
    return this.bytes(field, m.done());
  }
  done() {
    return Uint8Array.from(this.parts);
  }
}

function valueInfo(name: string, dims: number[]) {
  const shape = new Pb();
  for (const d of dims) shape.msg(1, new Pb().int(1, d));
  return new Pb().str(1, name).msg(2, new Pb().msg(1, new Pb().int(1, 1).msg(2, shape)));
}

function tensor(name: string, dims: number[], values: Float32Array) {
  const t = new Pb();
  for (const d of dims) t.int(1, d);
  return t.int(2, 1).str(8, name).bytes(9, new Uint8Array(values.buffer));
}

function node(op: string, inputs: string[], outputs: string[], attrs: Pb[] = []) {
  const n = new Pb();
  inputs.forEach((i) => n.str(1, i));
  outputs.forEach((o) => n.str(2, o));
  n.str(3, `${op}_${outputs[0]}`).str(4, op);
  attrs.forEach((a) => n.msg(5, a));
  return n;
}

export interface LinearModelSpec {
  /** Input tensor name and shape; inputs with more than 2 dims are flattened first. */
  input: string;
  inDims: number[];
  /** Row-major [nIn, 8] weights and 8 biases. */
  W: Float32Array;
  b: Float32Array;
  name: string;
}

/** An ONNX model computing logits[1,8] = flatten(input) · W + b. */
export function linearOnnx({ input, inDims, W, b, name }: LinearModelSpec): Uint8Array {
  const nIn = W.length / 8;
  const flatten = inDims.length > 2;
  const g = new Pb();
  if (flatten) g.msg(1, node('Flatten', [input], ['flat'], [new Pb().str(1, 'axis').int(20, 2).int(3, 1)]));
  g.msg(1, node('MatMul', [flatten ? 'flat' : input, 'W'], ['mm']))
    .msg(1, node('Add', ['mm', 'b'], ['logits']))
    .str(2, name)
    .msg(5, tensor('W', [nIn, 8], W))
    .msg(5, tensor('b', [8], b))
    .msg(11, valueInfo(input, inDims))
    .msg(12, valueInfo('logits', [1, 8]));
  return new Pb().int(1, 8).str(2, 'ig3d-web e2e').msg(7, g).msg(8, new Pb().str(1, '').int(2, 13)).done();
}
