/**
 * Teaching mode's second face parameter adapter: FLAME packs (EMOCA v2 / SMIRK regressor +
 * flame.bin). Sliders for FLAME's expression components, jaw rotation, SMIRK's eyelids, head
 * rotation and the leading identity (shape) components; the mesh is decoded with the app's FLAME
 * decoder (metres, y up, the face looking along +z). The head3d input groups are built in each
 * family's layout (emoca-v2: pose = global 3 + jaw 3; smirk: pose = global 3, jaw and eyelid
 * separate). No data-made presets yet for FLAME (they need features extracted with a FLAME pack).
 */
import type { FlameAsset } from '../flame/types';
import { createFlameDecoder, type FlameDecoder } from '../flame/flameDecoder';
import type { RegressorFamily } from '../flame/regressorParams';
import type { FrameResult } from '../types';
import type { FaceParamAdapter, ParamGroup, ParamSpec } from './faceParams';

/** Identity components that get a slider (the rest keep the value copied from a frame). */
const SHAPE_SLIDERS = 10;
const EXP_SLIDERS_OPEN = 10;

export function createFlameAdapter(opts: { asset: FlameAsset; family: RegressorFamily; decoder?: FlameDecoder }): FaceParamAdapter {
  const { asset, family } = opts;
  const decoder = opts.decoder ?? createFlameDecoder(asset);
  const nExp = Math.min(50, asset.counts.expression);
  const nShape = Math.min(family === 'smirk' ? 300 : 100, asset.counts.shape);
  const hasLids = family === 'smirk';
  const params: ParamSpec[] = [];
  for (let i = 0; i < nExp; i++) {
    params.push({ key: `exp.${i}`, label: `expression ${i + 1}`, group: i < EXP_SLIDERS_OPEN ? 'expression' : 'expressionMore', min: -3, max: 3, step: 0.05, initial: 0, feedsHead: true });
  }
  const JAW0 = params.length;
  params.push({ key: 'jaw.x', label: 'jaw open (rx)', group: 'jaw', min: -0.1, max: 0.6, step: 0.01, initial: 0, unit: 'rad', feedsHead: true });
  params.push({ key: 'jaw.y', label: 'jaw sideways (ry)', group: 'jaw', min: -0.3, max: 0.3, step: 0.01, initial: 0, unit: 'rad', feedsHead: true });
  params.push({ key: 'jaw.z', label: 'jaw twist (rz)', group: 'jaw', min: -0.3, max: 0.3, step: 0.01, initial: 0, unit: 'rad', feedsHead: true });
  const LID0 = params.length;
  if (hasLids) {
    params.push({ key: 'eyelid.l', label: 'left eyelid', group: 'eyelids', min: 0, max: 1, step: 0.01, initial: 0, feedsHead: true });
    params.push({ key: 'eyelid.r', label: 'right eyelid', group: 'eyelids', min: 0, max: 1, step: 0.01, initial: 0, feedsHead: true });
  }
  const POSE0 = params.length;
  for (const [k, label] of [['x', 'head pitch (rx)'], ['y', 'head yaw (ry)'], ['z', 'head roll (rz)']] as const) {
    params.push({ key: `pose.${k}`, label, group: 'pose', min: -0.8, max: 0.8, step: 0.01, initial: 0, unit: 'rad', feedsHead: true });
  }
  const SHAPE0 = params.length;
  for (let i = 0; i < nShape; i++) {
    params.push({ key: `shape.${i}`, label: `identity ${i + 1}`, group: 'identity', min: -3, max: 3, step: 0.05, initial: 0, feedsHead: true, hidden: i >= SHAPE_SLIDERS });
  }
  const groups: ParamGroup[] = [
    { id: 'expression', label: 'Expression (FLAME components 1–10)', hint: 'FLAME’s expression space: each component is a learned mix of facial movements (PCA of 3D scans).' },
    { id: 'expressionMore', label: `Expression (components 11–${nExp})` },
    { id: 'jaw', label: 'Jaw', hint: 'FLAME rotates the jaw joint: an open mouth is a rotation, not a blendshape.' },
    ...(hasLids ? [{ id: 'eyelids', label: 'Eyelids (SMIRK)', hint: 'SMIRK adds two eyelid-closure blendshapes to FLAME.' }] : []),
    { id: 'pose', label: 'Head rotation' },
    { id: 'identity', label: `Identity (FLAME shape 1–${SHAPE_SLIDERS})`, hint: 'Who the face is. Ig3D’s 3D head sees these too.' },
  ];
  const initial = Float32Array.from(params, (p) => p.initial);
  const sl = (v: Float32Array, a: number, n: number) => v.slice(a, a + n);

  return {
    id: 'flame',
    label: `FLAME (${family === 'smirk' ? 'SMIRK' : 'EMOCA v2'} parameters)`,
    units: 'm',
    groups,
    params,
    vertexCount: asset.counts.vertices,
    triangles: asset.faces,
    presets: [],
    initialValues: () => initial.slice(),
    mesh(values, out) {
      const o = decoder.decode({
        exp: sl(values, 0, nExp),
        jaw: sl(values, JAW0, 3),
        eyelid: hasLids ? sl(values, LID0, 2) : undefined,
        globalPose: sl(values, POSE0, 3),
        shape: sl(values, SHAPE0, nShape),
      });
      const positions = out && out.length === o.vertices.length ? out : new Float32Array(o.vertices.length);
      positions.set(o.vertices);
      return { positions };
    },
    features(values) {
      const exp = sl(values, 0, nExp);
      const jaw = sl(values, JAW0, 3);
      const global = sl(values, POSE0, 3);
      const shape = sl(values, SHAPE0, nShape);
      if (family === 'emoca-v2') {
        const pose = new Float32Array(6);
        pose.set(global, 0);
        pose.set(jaw, 3);
        return { exp, pose, shape };
      }
      return { exp, pose: global, jaw, eyelid: sl(values, LID0, 2), shape };
    },
    fromFrame(r: FrameResult) {
      const p = r.flame?.params;
      if (!r.face) return 'no face in this frame';
      if (!p) return 'this frame has no FLAME parameters (the regressor did not run)';
      const v = initial.slice();
      const put = (src: ArrayLike<number> | undefined, from: number, at: number, n: number) => {
        if (!src) return;
        for (let i = 0; i < n && from + i < src.length; i++) v[at + i] = src[from + i];
      };
      put(p.exp, 0, 0, nExp);
      put(p.shape, 0, SHAPE0, nShape);
      if (family === 'emoca-v2') {
        put(p.pose, 0, POSE0, 3);
        put(p.pose, 3, JAW0, 3);
      } else {
        put(p.pose, 0, POSE0, 3);
        put(p.jaw, 0, JAW0, 3);
        put(p.eyelid, 0, LID0, 2);
      }
      return v;
    },
  };
}
