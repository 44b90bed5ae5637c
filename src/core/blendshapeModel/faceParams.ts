/**
 * Teaching mode's parameter model. The explorer talks to a *face parameter adapter*, so the
 * same sliders, presets, mesh view and 3D-head evaluation work for different 3D face models:
 *   - MediaPipe adapter (open pack): 52 blendshape scores + 6 head-pose features, rendered with
 *     the learned blendshape geometry (blendshape_geometry.bin) on MediaPipe's mesh triangles;
 *   - FLAME adapter (FLAME packs: expression components, jaw, eyelids, shape): a second
 *     implementation of the same interface (see flameAdapter.ts when present).
 * Framework-free: no React, no three.js.
 */
import type { Expression } from '../classes/expressionClasses';
import { EXPRESSIONS } from '../classes/expressionClasses';
import type { FeatureGroup } from '../manifest/schema';
import type { FrameResult } from '../types';
import { headPoseFeatures } from '../inference/headPose';
import { BLENDSHAPE_NAMES, FACE_REGION_LABELS, blendshapeRegion } from './blendshapeNames';
import { evaluateBlendshapeGeometry, type BlendshapeGeometry } from './blendshapeGeometry';

export interface ParamSpec {
  /** Stable key, e.g. 'jawOpen', 'pose.yaw', 'id.3'. */
  key: string;
  label: string;
  group: string;
  min: number;
  max: number;
  step: number;
  /** Value after "reset". */
  initial: number;
  /** Unit shown next to the value, if any. */
  unit?: string;
  /** Feeds the 3D head (false: only changes the mesh, e.g. identity). */
  feedsHead: boolean;
  /** Kept in the value vector (copied from frames, fed to the head) but without a slider. */
  hidden?: boolean;
}

export interface ParamGroup {
  id: string;
  label: string;
  /** One sentence for the explorer. */
  hint?: string;
}

export interface Preset {
  cls: Expression;
  values: Float32Array;
  /** Number of training faces behind it (data-made presets). */
  count?: number;
}

export interface FaceMeshFrame {
  /** Flat xyz; y up, z toward the viewer. */
  positions: Float32Array;
  /** Rotation to show (radians): yaw about y, pitch about x, roll about z. */
  rotation?: { yaw: number; pitch: number; roll: number };
}

export interface FaceParamAdapter {
  id: 'mediapipe-blendshapes' | 'flame';
  label: string;
  /** Geometry units, e.g. 'cm'. */
  units: string;
  groups: readonly ParamGroup[];
  params: readonly ParamSpec[];
  vertexCount: number;
  /** Triangles for the mesh view (indices < vertexCount). */
  triangles: Uint32Array;
  initialValues(): Float32Array;
  /** Mesh for the values (positions reused from `out` when given). */
  mesh(values: Float32Array, out?: Float32Array): FaceMeshFrame;
  /** The 3D parameter groups the values define (raw, as the head3d model's manifest names them). */
  features(values: Float32Array): Partial<Record<FeatureGroup, Float32Array>>;
  /** Values read from a processed frame ("copy from the current frame"); a reason string if impossible. */
  fromFrame(r: FrameResult): Float32Array | string;
  presets: readonly Preset[];
}

/** Concatenate the adapter's groups in the head's order; lists what is missing. */
export function headFeatureVector(
  groups: readonly { group: FeatureGroup; size: number }[],
  available: Partial<Record<FeatureGroup, Float32Array>>,
): { ok: true; values: Float32Array } | { ok: false; missing: string[] } {
  const missing: string[] = [];
  const parts: Float32Array[] = [];
  for (const { group, size } of groups) {
    const v = available[group];
    if (!v) missing.push(group);
    else if (v.length !== size) missing.push(`${group} (have ${v.length}, head takes ${size})`);
    else parts.push(v);
  }
  if (missing.length) return { ok: false, missing };
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return { ok: true, values: out };
}

// ---------------------------------------------------------------------------------------------
// Presets file (public/models/blendshape_geometry.presets.json, training/make_blendshape_presets.py)

export interface PresetsFile {
  format: 'ig3d-expression-presets';
  version: 1;
  source: string;
  method: string;
  classOrder: string[];
  presets: Partial<Record<Expression, { count: number; blendshapes: number[]; headPose: number[] }>>;
}

export function parsePresetsFile(json: unknown): PresetsFile {
  const f = json as PresetsFile;
  if (!f || f.format !== 'ig3d-expression-presets' || f.version !== 1 || typeof f.presets !== 'object') {
    throw new Error('expression presets: not an ig3d-expression-presets v1 file');
  }
  for (const [cls, p] of Object.entries(f.presets)) {
    if (!EXPRESSIONS.includes(cls as Expression)) throw new Error(`expression presets: unknown class '${cls}'`);
    if (!p || p.blendshapes?.length !== 52 || p.headPose?.length !== 6) throw new Error(`expression presets: '${cls}' needs 52 blendshapes and 6 headPose values`);
  }
  return f;
}

// ---------------------------------------------------------------------------------------------
// MediaPipe adapter

const POSE_PARAMS: { key: string; label: string; min: number; max: number; unit: string; initial: number }[] = [
  { key: 'pose.yaw', label: 'yaw', min: -0.8, max: 0.8, unit: 'rad', initial: 0 },
  { key: 'pose.pitch', label: 'pitch', min: -0.8, max: 0.8, unit: 'rad', initial: 0 },
  { key: 'pose.roll', label: 'roll', min: -0.8, max: 0.8, unit: 'rad', initial: 0 },
  { key: 'pose.tx', label: 'x offset (tx/|tz|)', min: -0.5, max: 0.5, unit: '', initial: 0 },
  { key: 'pose.ty', label: 'y offset (ty/|tz|)', min: -0.5, max: 0.5, unit: '', initial: 0 },
  { key: 'pose.tz', label: 'distance (tz, m)', min: -1.5, max: 0, unit: 'm', initial: -0.4 },
];

const REGION_ORDER = ['brows', 'eyes', 'gaze', 'cheeksNose', 'jaw', 'mouth', 'other'] as const;

const REGION_HINTS: Partial<Record<string, string>> = {
  brows: 'Raised inner brows read as sadness or fear; lowered brows as anger.',
  eyes: 'Wide eyes: surprise and fear. Squint: smiles (Duchenne) and disgust.',
  jaw: 'An open jaw is the strongest surprise/fear cue.',
  mouth: 'Smile corners → happy; one-sided smile → contempt; frown → sad.',
  pose: 'Head pose is part of the 3D head’s input, but not of the face shape.',
  identity: 'Who the face is, not what it expresses: changes the mesh only, the 3D head never sees it.',
};

export const MEDIAPIPE_PARAM_COUNT = 52 + 6;

export function createMediapipeAdapter(opts: {
  geometry: BlendshapeGeometry;
  triangles: Uint32Array;
  presets?: PresetsFile;
}): FaceParamAdapter {
  const g = opts.geometry;
  if (g.blendshapeNames.length !== 52 || g.blendshapeNames.some((n, i) => n !== BLENDSHAPE_NAMES[i])) {
    throw new Error('blendshape geometry: its blendshape names are not MediaPipe’s 52, in order');
  }
  const K = g.identityCount;
  const params: ParamSpec[] = [];
  BLENDSHAPE_NAMES.forEach((name) => {
    params.push({ key: name, label: name, group: blendshapeRegion(name), min: 0, max: 1, step: 0.01, initial: 0, feedsHead: true });
  });
  for (const p of POSE_PARAMS) params.push({ ...p, group: 'pose', step: 0.01, feedsHead: true });
  for (let j = 0; j < K; j++) {
    params.push({ key: `id.${j}`, label: `identity ${j + 1}`, group: 'identity', min: -3, max: 3, step: 0.05, initial: 0, unit: 'σ', feedsHead: false });
  }
  const groups: ParamGroup[] = [
    ...REGION_ORDER.map((r) => ({ id: r, label: FACE_REGION_LABELS[r], hint: REGION_HINTS[r] })),
    { id: 'pose', label: 'Head pose', hint: REGION_HINTS.pose },
    ...(K ? [{ id: 'identity', label: 'Identity (learned PCA)', hint: REGION_HINTS.identity }] : []),
  ];
  const initial = Float32Array.from(params, (p) => p.initial);
  const nBs = 52;
  const POSE0 = nBs;
  const ID0 = nBs + 6;

  const presets: Preset[] = [];
  for (const cls of EXPRESSIONS) {
    const p = opts.presets?.presets[cls];
    if (!p) continue;
    const v = initial.slice();
    v.set(p.blendshapes, 0);
    v.set(p.headPose, POSE0);
    presets.push({ cls, values: v, count: p.count });
  }

  return {
    id: 'mediapipe-blendshapes',
    label: 'MediaPipe blendshapes (learned linear geometry)',
    units: g.header.units,
    groups,
    params,
    vertexCount: g.vertexCount,
    triangles: opts.triangles,
    presets,
    initialValues: () => initial.slice(),
    mesh(values, out) {
      const positions = evaluateBlendshapeGeometry(g, values.subarray(0, nBs), values.subarray(ID0, ID0 + K), out);
      return { positions, rotation: { yaw: values[POSE0], pitch: values[POSE0 + 1], roll: values[POSE0 + 2] } };
    },
    features(values) {
      return { blendshapes: values.slice(0, nBs), headPose: values.slice(POSE0, POSE0 + 6), canonicalLandmarks: evaluateBlendshapeGeometry(g, values.subarray(0, nBs), values.subarray(ID0, ID0 + K)) };
    },
    fromFrame(r) {
      const face = r.face;
      if (!face) return 'no face in this frame';
      const v = initial.slice();
      v.set(face.blendshapes.subarray(0, nBs), 0);
      v.set(headPoseFeatures(face.headPose), POSE0);
      // Identity: least-squares fit of the residual after the blendshapes, when the frame has canonical landmarks.
      const y = face.canonicalLandmarks;
      if (y && K && y.length === g.vertexCount * 3) {
        const p = evaluateBlendshapeGeometry(g, face.blendshapes);
        const D = y.length;
        for (let j = 0; j < K; j++) {
          const u = g.identity.subarray(j * D, (j + 1) * D);
          let num = 0, den = 0;
          for (let k = 0; k < D; k++) {
            num += u[k] * (y[k] - p[k]);
            den += u[k] * u[k];
          }
          v[ID0 + j] = den > 0 ? Math.max(-3, Math.min(3, num / den)) : 0;
        }
      }
      return v;
    },
  };
}
