import { describe, expect, it } from 'vitest';
import { checkNames } from '../../src/core/inference/ortSession';
import { loadPackFile, sha256Hex } from '../../src/core/inference/packFiles';

describe('checkNames', () => {
  const session = { inputNames: ['image'], outputNames: ['logits', 'va'] };
  it('accepts matching names', () => {
    expect(() => checkNames('fer2d', session, { inputs: ['image'], outputs: ['logits'] })).not.toThrow();
  });
  it('says what the model has', () => {
    expect(() => checkNames('fer2d', session, { inputs: ['image'], outputs: ['scores'] })).toThrow(
      "model fer2d: output 'scores' not found; the model has: logits, va",
    );
    expect(() => checkNames('fer2d', session, { inputs: ['input'], outputs: [] })).toThrow("model fer2d: input 'input' not found; the model has: image");
  });
});

describe('loadPackFile', () => {
  it('prefers dropped files and checks sha256', async () => {
    const bytes = new TextEncoder().encode('hello');
    const sha = await sha256Hex(bytes);
    expect(sha).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    const got = await loadPackFile({ packBaseUrl: 'http://127.0.0.1:1/none/', packFiles: { 'a.onnx': bytes.buffer } }, 'a.onnx', sha);
    expect(got).toHaveLength(5);
    await expect(loadPackFile({ packBaseUrl: 'x', packFiles: { 'a.onnx': bytes.buffer } }, 'a.onnx', '0'.repeat(64))).rejects.toThrow(/does not match/);
    await expect(loadPackFile({ packBaseUrl: 'x', packFiles: { 'a.onnx': new ArrayBuffer(0) } }, 'a.onnx')).rejects.toThrow(/empty/);
  });
});
