import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { missingFiles, packRoot, readFolderPack, type PackEntry } from '../../src/packs/folderPack';
import { parseManifest } from '../../src/core/manifest/parseManifest';

const manifest = {
  schemaVersion: 1,
  name: 'tiny FLAME pack',
  synthetic: true,
  models: [
    { id: 'lm', role: 'landmarker', file: 'face_landmarker.task' },
    {
      id: 'reg',
      role: 'regressor3d',
      family: 'smirk',
      file: 'models/regressor.onnx',
      input: { name: 'image', size: [224, 224], channels: 3, colorOrder: 'rgb', crop: { kind: 'landmark-box', landmarks: 'all', scale: 1.4 } },
      outputs: { pose: { name: 'pose', size: 3 }, cam: { name: 'cam', size: 3 }, shape: { name: 'shape', size: 300 }, exp: { name: 'exp', size: 50 }, eyelid: { name: 'eyelid', size: 2 }, jaw: { name: 'jaw', size: 3 } },
    },
    { id: 'flame', role: 'morphable', format: 'flame-bin-v1', file: 'flame.bin' },
  ],
};

const blob = (s: string) => new Blob([s]);
const entries = (root: string, files: Record<string, string>): PackEntry[] => Object.entries(files).map(([p, c]) => ({ path: root + p, file: blob(c) }));
const full = { 'manifest.json': JSON.stringify(manifest), 'face_landmarker.task': 'lm', 'models/regressor.onnx': 'onnx', 'flame.bin': 'FLAMEBIN', 'notes.txt': 'ignored' };

describe('packRoot', () => {
  it('finds the folder holding the shallowest manifest.json', () => {
    expect(packRoot(['smirk/manifest.json', 'smirk/x/manifest.json', 'smirk/flame.bin'])).toBe('smirk/');
    expect(packRoot(['manifest.json', 'a.onnx'])).toBe('');
    expect(packRoot(['a.onnx'])).toBeUndefined();
  });
});

describe('readFolderPack', () => {
  it('reads exactly the files the manifest names, relative to the pack folder', async () => {
    const r = await readFolderPack(entries('smirk/', full));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.manifest.name).toBe('tiny FLAME pack');
    expect(Object.keys(r.files).sort()).toEqual(['face_landmarker.task', 'flame.bin', 'models/regressor.onnx']);
    expect(new TextDecoder().decode(r.files['flame.bin'])).toBe('FLAMEBIN');
  });
  it('lists every missing file with the model that names it', async () => {
    const { 'flame.bin': _f, 'models/regressor.onnx': _r, ...rest } = full;
    const r = await readFolderPack(entries('p/', rest));
    expect(r).toEqual({
      ok: false,
      errors: ['missing file: models/regressor.onnx (named by model reg (regressor3d) in manifest.json)', 'missing file: flame.bin (named by model flame (morphable) in manifest.json)'],
    });
  });
  it('passes manifest errors through, naming the field', async () => {
    const bad = structuredClone(manifest);
    (bad.models[1] as { outputs: Record<string, { size: number }> }).outputs.exp.size = 100;
    const r = await readFolderPack(entries('', { ...full, 'manifest.json': JSON.stringify(bad) }));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors).toEqual(['manifest.json: models[1].outputs.exp.size: 100, but smirk gives 50']);
  });
  it('refuses a selection without manifest.json, and empty files', async () => {
    expect(await readFolderPack(entries('x/', { 'a.onnx': '1' }))).toMatchObject({ ok: false, errors: [expect.stringMatching(/no manifest\.json/)] });
    expect(await readFolderPack(entries('', { ...full, 'flame.bin': '' }))).toEqual({ ok: false, errors: ['flame.bin is empty'] });
  });
  it('accepts the synthetic packs the tests generate, when present', async () => {
    let text: string;
    try {
      text = readFileSync('e2e/.fixtures/synthetic-flame-pack/smirk/manifest.json', 'utf8');
    } catch {
      return; // not generated on this machine
    }
    const parsed = parseManifest(text);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(missingFiles(parsed.manifest, new Set(['face_landmarker.task', 'regressor.onnx', 'flame.bin']))).toEqual([]);
  });
});
