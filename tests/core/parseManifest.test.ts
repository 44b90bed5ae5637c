import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { modelByRole, parseManifest } from '../../src/core/manifest/parseManifest';

const shipped = JSON.parse(readFileSync(new URL('../../public/models/manifest.json', import.meta.url), 'utf8'));
const clone = () => structuredClone(shipped);

function errorsOf(input: unknown): string[] {
  const r = parseManifest(input);
  if (r.ok) throw new Error('expected the manifest to be rejected');
  return r.errors;
}

describe('manifest validation', () => {
  it('accepts the shipped default pack and fills defaults', () => {
    const r = parseManifest(shipped);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const fei = modelByRole(r.manifest, 'fei2d')!;
    expect(fei.input.size).toEqual([48, 48]);
    expect(fei.synthetic).toBe(false);
    expect(modelByRole(r.manifest, 'landmarker')!.file).toMatch(/face_landmarker\.task$/);
  });

  it('reads the 2D model\'s gated flip policy and names a bad threshold', () => {
    const r = parseManifest(shipped);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const tta = modelByRole(r.manifest, 'fei2d')!.testTimeAugmentation;
    expect(tta?.flip).toBe(true);
    expect(tta?.flipWhenMarginBelow).toBeGreaterThan(0);
    const m = clone();
    m.models[1].testTimeAugmentation = { flip: true, flipWhenMarginBelow: 1.5 };
    expect(errorsOf(m).join('\n')).toMatch(/^models\[1\]\.testTimeAugmentation\.flipWhenMarginBelow/m);
    const n = clone();
    n.models[1].testTimeAugmentation = { flipWhenMarginBelow: 0.2 };
    expect(errorsOf(n).join('\n')).toMatch(/^models\[1\]\.testTimeAugmentation\.flip/m);
  });

  it('accepts JSON text and reports a syntax error clearly', () => {
    expect(parseManifest(JSON.stringify(shipped)).ok).toBe(true);
    expect(errorsOf('{"schemaVersion": 1,')[0]).toMatch(/not valid JSON/);
  });

  it('names the bad field', () => {
    const m = clone();
    m.models[1].input.size = [48, -1];
    expect(errorsOf(m).join('\n')).toMatch(/^models\[1\]\.input\.size\[1\]/m);
  });

  it('rejects an unknown role and a missing landmarker', () => {
    const m = clone();
    m.models[1].role = 'telepathy';
    expect(errorsOf(m).join('\n')).toMatch(/models\[1\]\.role/);
    const n = clone();
    n.models.splice(0, 1);
    expect(errorsOf(n).join('\n')).toMatch(/role "landmarker"/);
  });

  it('rejects class orders that are not a permutation', () => {
    const m = clone();
    m.models[1].outputs.logits.classOrder[1] = 'neutral';
    expect(errorsOf(m).join('\n')).toMatch(/classOrder: class order repeats: neutral/);
    const n = clone();
    n.models[1].outputs.logits.classOrder[1] = 'joy';
    expect(errorsOf(n).join('\n')).toMatch(/models\[1\]\.outputs\.logits\.classOrder\[1\]/);
  });

  it('refuses file paths that leave the pack (malicious manifests)', () => {
    for (const file of ['../secret.onnx', '/etc/passwd', 'https://evil.example/x.onnx', 'a/../../b']) {
      const m = clone();
      m.models[1].file = file;
      expect(errorsOf(m).join('\n')).toMatch(/models\[1\]\.file: must be a relative path inside the pack/);
    }
  });

  it('checks channels against colour order and normalisation', () => {
    const m = clone();
    m.models[1].input.colorOrder = 'rgb';
    expect(errorsOf(m).join('\n')).toMatch(/colorOrder: "rgb" does not fit 1 channel/);
    const n = clone();
    n.models[1].input.normalize = { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] };
    expect(errorsOf(n).join('\n')).toMatch(/normalize: needs 1 mean/);
  });

  it('rejects duplicate ids and roles, and unsupported schema versions', () => {
    const m = clone();
    const head = m.models.find((x: { role: string }) => x.role === 'head3d');
    m.models.push(structuredClone(head));
    const errs = errorsOf(m).join('\n');
    expect(errs).toMatch(/more than one model with role "head3d"/);
    expect(errs).toMatch(/duplicate id "head3d"/);
    // Several 2D models are allowed (fused on the 2D side), but each needs its own id.
    const two = clone();
    two.models.push(structuredClone(two.models[1]));
    expect(errorsOf(two).join('\n')).toMatch(/duplicate id "fer2d"/);
    const v = clone();
    v.schemaVersion = 2;
    expect(errorsOf(v).join('\n')).toMatch(/^schemaVersion/m);
  });

  it('parses a head3d input order and checks standardisation length', () => {
    const m = clone();
    m.models = m.models.filter((x: { role: string }) => x.role !== 'head3d');
    m.models.push({
      id: 'head3d',
      role: 'head3d',
      file: 'head3d.onnx',
      input: {
        name: 'features',
        features: [
          { group: 'blendshapes', size: 52 },
          { group: 'headPose', size: 6 },
        ],
        standardize: { mean: new Array(58).fill(0), std: new Array(58).fill(1) },
      },
      outputs: { logits: { name: 'logits', classOrder: shipped.models[1].outputs.logits.classOrder } },
    });
    const r = parseManifest(m);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(modelByRole(r.manifest, 'head3d')!.input.features.map((f) => f.group)).toEqual(['blendshapes', 'headPose']);
    m.models[2].input.standardize.mean.pop();
    expect(errorsOf(m).join('\n')).toMatch(/standardize: mean\/std have 57\/58 values, features add up to 58/);
    m.models[2].input.features[0].group = 'tail';
    expect(errorsOf(m).join('\n')).toMatch(/models\[2\]\.input\.features\[0\]\.group/);
  });
});

describe('FLAME packs', () => {
  const smirk = () => ({
    id: 'smirk',
    role: 'regressor3d',
    family: 'smirk',
    file: 'smirk.onnx',
    input: { name: 'image', size: [224, 224], channels: 3, colorOrder: 'rgb', range: '0-1', crop: { kind: 'landmark-box', landmarks: 'all', scale: 1.4 } },
    outputs: {
      pose: { name: 'pose', size: 3 },
      cam: { name: 'cam', size: 3 },
      shape: { name: 'shape', size: 300 },
      exp: { name: 'exp', size: 50 },
      eyelid: { name: 'eyelid', size: 2 },
      jaw: { name: 'jaw', size: 3 },
    },
  });
  const pack = (regressor: object) => ({
    schemaVersion: 1,
    name: 'flame-test',
    synthetic: true,
    models: [shipped.models[0], regressor, { id: 'flame', role: 'morphable', file: 'flame.bin', format: 'flame-bin-v1' }],
  });

  it('accepts a SMIRK regressor with only its own output groups', () => {
    const r = parseManifest(pack(smirk()));
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(modelByRole(r.manifest, 'regressor3d')!.family).toBe('smirk');
    expect(r.manifest.synthetic).toBe(true);
  });

  it('names a missing group and a wrong size', () => {
    const m = smirk();
    const outputs: Record<string, { size: number }> = m.outputs;
    delete outputs.eyelid;
    outputs.exp.size = 100;
    const errs = errorsOf(pack(m)).join('\n');
    expect(errs).toMatch(/models\[1\]\.outputs\.eyelid: missing/);
    expect(errs).toMatch(/models\[1\]\.outputs\.exp\.size: 100, but smirk gives 50/);
  });

  it('refuses an unknown output group', () => {
    const m = smirk();
    (m.outputs as Record<string, unknown>).hair = { name: 'hair', size: 3 };
    expect(errorsOf(pack(m)).join('\n')).toMatch(/models\[1\]\.outputs/);
  });
});
