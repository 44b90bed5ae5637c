/**
 * Builds public/models/ict_head_lod.bin, the live view's lower-detail ICT head (issue #16; format and
 * use: src/core/ict/ictLod.ts), from public/models/ict_head.bin:
 *
 *   npx tsx scripts/ict/build-lod.ts [--triangles 12000] [--out public/models/ict_head_lod.bin]
 *
 * - the asset's hidden groups (transparent overlays the app never draws) are left out;
 * - vertices on a draw-group seam (face / mouth socket: where the lips part; eyelids / eyeball
 *   sockets; …), on an open border, at the 68 landmarks the identity fit uses and on the eyeballs'
 *   painted iris discs are never removed;
 * - the collapse error is summed over the neutral head, each of the 53 expression shapes at weight 1
 *   and the first identity components at ±2σ, and no collapse may flip a triangle in any of them
 *   (decimate.ts), so the mouth still opens, the eyes still close and a fitted face still fits.
 * Prints the result and its surface error (distance of each removed vertex to the LOD surface).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseIctHead, type IctHead } from '../../src/core/ict/ictAsset';
import { encodeIctLod, trianglesFnv1a, type IctLod } from '../../src/core/ict/ictLod';
import { decimate, seamAndBorderVertices } from './decimate';

const IDENTITY_STATES = 5;
/**
 * The renderer paints the iris and pupil as vertex colours on the front of each eyeball
 * (core/ict/ictEyeColours.ts: within 0.8 cm of its front and 0.58 cm of its axis); with
 * fewer vertices there the discs shrank to grey specks, so the vertices of the discs and a ring
 * around them are pinned.
 */
const IRIS_CAP_CM = 0.8;
const IRIS_PIN_RADIUS_CM = 0.7;
const IDENTITY_SIGMA = 2;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

/** The mesh shapes the error is measured in: neutral, every expression at 1, identities at ±2σ. */
export function lodStates(head: IctHead): { name: string; positions: Float32Array }[] {
  const states = [{ name: 'neutral', positions: head.neutral }];
  for (const e of head.expressions) {
    const p = Float32Array.from(head.neutral);
    for (let k = 0; k < e.vertices.length; k++) for (let d = 0; d < 3; d++) p[3 * e.vertices[k] + d] += e.deltas[3 * k + d];
    states.push({ name: e.name, positions: p });
  }
  const n = head.neutral.length;
  for (let k = 0; k < Math.min(IDENTITY_STATES, head.identityCount); k++) {
    for (const sign of [1, -1]) {
      const p = Float32Array.from(head.neutral);
      const s = sign * IDENTITY_SIGMA * head.identityScales[k];
      for (let i = 0; i < n; i++) p[i] += s * head.identityQ[k * n + i];
      states.push({ name: `identity${k}${sign > 0 ? '+' : '-'}`, positions: p });
    }
  }
  return states;
}

/** The LOD of `head` with at most `targetTriangles` triangles (more where nothing else may go). */
export function buildIctLod(head: IctHead, targetTriangles: number): IctLod {
  const groupOf = new Int32Array(head.triangles.length / 3);
  head.groups.forEach((g, i) => groupOf.fill(i, g.start, g.start + g.count));
  // Hidden groups are never drawn: left out before anything else.
  const drawn: number[] = [];
  const drawnGroup: number[] = [];
  for (let t = 0; t < groupOf.length; t++) {
    if (head.groups[groupOf[t]].hidden) continue;
    drawn.push(head.triangles[3 * t], head.triangles[3 * t + 1], head.triangles[3 * t + 2]);
    drawnGroup.push(groupOf[t]);
  }
  const locked = seamAndBorderVertices(drawn, drawnGroup, head.vertexCount);
  for (const v of head.landmarks68) locked[v] = 1;
  for (const g of head.groups) {
    if (!g.material.startsWith('M_Iris')) continue;
    const verts = new Set(head.triangles.subarray(3 * g.start, 3 * (g.start + g.count)));
    const p = (v: number, d: number) => head.neutral[3 * v + d];
    const zMax = Math.max(...[...verts].map((v) => p(v, 2)));
    const cx = [...verts].reduce((a, v) => a + p(v, 0), 0) / verts.size;
    const cy = [...verts].reduce((a, v) => a + p(v, 1), 0) / verts.size;
    for (const v of verts) if (p(v, 2) > zMax - IRIS_CAP_CM && Math.hypot(p(v, 0) - cx, p(v, 1) - cy) < IRIS_PIN_RADIUS_CM) locked[v] = 1;
  }
  const result = decimate({
    states: lodStates(head).map((s) => s.positions),
    triangles: drawn,
    triangleGroup: drawnGroup,
    locked,
    targetTriangles,
  });
  // Group order as in the head, original order inside a group; indices into the kept vertices.
  const local = new Int32Array(head.vertexCount).fill(-1);
  result.kept.forEach((v, i) => (local[v] = i));
  const groupCounts = head.groups.map(() => 0);
  const order = Array.from({ length: result.triangleGroup.length }, (_, t) => t).sort((a, b) => result.triangleGroup[a] - result.triangleGroup[b] || a - b);
  const triangles = new Uint16Array(3 * order.length);
  order.forEach((t, i) => {
    groupCounts[result.triangleGroup[t]]++;
    for (let k = 0; k < 3; k++) triangles[3 * i + k] = local[result.triangles[3 * t + k]];
  });
  return {
    header: {
      format: 'ict-head-lod',
      version: 1,
      base: { vertexCount: head.vertexCount, triangleCount: head.triangles.length / 3, trianglesFnv1a: trianglesFnv1a(head.triangles) },
      vertexCount: result.kept.length,
      triangleCount: order.length,
      groupCounts,
      build: {
        command: `npx tsx scripts/ict/build-lod.ts --triangles ${targetTriangles}`,
        targetTriangles,
        method: 'quadric-error half-edge collapse onto kept vertices; seams, borders, the 68 landmarks and the iris discs pinned; error over neutral, 53 expressions, 5 identity components at ±2σ',
      },
    },
    kept: Uint16Array.from(result.kept),
    triangles,
  };
}

/** Squared distance from point p to triangle abc (Ericson, Real-Time Collision Detection, 5.1.5). */
function pointTriangleDist2(p: number[], a: number[], b: number[], c: number[]): number {
  const sub = (x: number[], y: number[]) => [x[0] - y[0], x[1] - y[1], x[2] - y[2]];
  const dot = (x: number[], y: number[]) => x[0] * y[0] + x[1] * y[1] + x[2] * y[2];
  const ab = sub(b, a), ac = sub(c, a), ap = sub(p, a);
  const d1 = dot(ab, ap), d2 = dot(ac, ap);
  let q: number[];
  if (d1 <= 0 && d2 <= 0) q = a;
  else {
    const bp = sub(p, b), d3 = dot(ab, bp), d4 = dot(ac, bp);
    const cp = sub(p, c), d5 = dot(ab, cp), d6 = dot(ac, cp);
    const vc = d1 * d4 - d3 * d2, vb = d5 * d2 - d1 * d6, va = d3 * d6 - d5 * d4;
    if (d3 >= 0 && d4 <= d3) q = b;
    else if (d6 >= 0 && d5 <= d6) q = c;
    else if (vc <= 0 && d1 >= 0 && d3 <= 0) { const v = d1 / (d1 - d3); q = [a[0] + v * ab[0], a[1] + v * ab[1], a[2] + v * ab[2]]; }
    else if (vb <= 0 && d2 >= 0 && d6 <= 0) { const w = d2 / (d2 - d6); q = [a[0] + w * ac[0], a[1] + w * ac[1], a[2] + w * ac[2]]; }
    else if (va <= 0 && d4 - d3 >= 0 && d5 - d6 >= 0) { const w = (d4 - d3) / (d4 - d3 + (d5 - d6)); q = [b[0] + w * (c[0] - b[0]), b[1] + w * (c[1] - b[1]), b[2] + w * (c[2] - b[2])]; }
    else {
      const den = 1 / (va + vb + vc), v = vb * den, w = vc * den;
      q = [a[0] + ab[0] * v + ac[0] * w, a[1] + ab[1] * v + ac[1] * w, a[2] + ab[2] * v + ac[2] * w];
    }
  }
  const d = sub(p, q);
  return dot(d, d);
}

/**
 * Surface error of the LOD in one state, mm: for every drawn vertex it dropped, the distance to the
 * nearest LOD triangle among those within two rings of the kept vertex nearest to it in that state
 * (a local search, so an upper bound of the distance to the whole LOD surface).
 */
export function lodSurfaceErrorMm(head: IctHead, lod: IctLod, positions: Float32Array): { mean: number; p99: number; max: number } {
  const n = lod.kept.length;
  const aroundLocal: number[][] = Array.from({ length: n }, () => []);
  for (let t = 0; t < lod.triangles.length / 3; t++) for (let k = 0; k < 3; k++) aroundLocal[lod.triangles[3 * t + k]].push(t);
  const kept = new Set(lod.kept);
  const pt = (v: number) => [positions[3 * v], positions[3 * v + 1], positions[3 * v + 2]];
  const drawnVerts = new Set<number>();
  head.groups.forEach((g) => {
    if (!g.hidden) for (let t = 3 * g.start; t < 3 * (g.start + g.count); t++) drawnVerts.add(head.triangles[t]);
  });
  // Nearest kept vertex in this state, through a 1 cm grid.
  const cell = 1; // cm
  const grid = new Map<string, number[]>();
  const keyOf = (p: ArrayLike<number>) => `${Math.floor(p[0] / cell)},${Math.floor(p[1] / cell)},${Math.floor(p[2] / cell)}`;
  lod.kept.forEach((v, i) => {
    const k = keyOf(positions.subarray(3 * v, 3 * v + 3));
    (grid.get(k) ?? grid.set(k, []).get(k)!).push(i);
  });
  const errors: number[] = [];
  for (const v of drawnVerts) {
    if (kept.has(v)) continue;
    const p0 = positions.subarray(3 * v, 3 * v + 3);
    let best = -1, bestD = Infinity;
    const [cx, cy, cz] = [Math.floor(p0[0] / cell), Math.floor(p0[1] / cell), Math.floor(p0[2] / cell)];
    for (let dx = -1; dx <= 1; dx++) for (let dy = -1; dy <= 1; dy++) for (let dz = -1; dz <= 1; dz++) {
      for (const i of grid.get(`${cx + dx},${cy + dy},${cz + dz}`) ?? []) {
        const w = lod.kept[i];
        const d = (positions[3 * w] - p0[0]) ** 2 + (positions[3 * w + 1] - p0[1]) ** 2 + (positions[3 * w + 2] - p0[2]) ** 2;
        if (d < bestD) { bestD = d; best = i; }
      }
    }
    if (best < 0) continue;
    const ring = new Set<number>();
    for (const t of aroundLocal[best]) for (let k = 0; k < 3; k++) for (const t2 of aroundLocal[lod.triangles[3 * t + k]]) ring.add(t2);
    let d2 = Infinity;
    for (const t of ring) d2 = Math.min(d2, pointTriangleDist2(pt(v), pt(lod.kept[lod.triangles[3 * t]]), pt(lod.kept[lod.triangles[3 * t + 1]]), pt(lod.kept[lod.triangles[3 * t + 2]])));
    errors.push(10 * Math.sqrt(d2));
  }
  errors.sort((a, b) => a - b);
  return { mean: errors.reduce((a, b) => a + b, 0) / errors.length, p99: errors[Math.floor(0.99 * (errors.length - 1))], max: errors[errors.length - 1] };
}

if (process.argv[1]?.endsWith('build-lod.ts')) {
  const target = Number(arg('triangles', '12000'));
  const out = arg('out', 'public/models/ict_head_lod.bin');
  const head = parseIctHead(new Uint8Array(readFileSync('public/models/ict_head.bin')));
  const t0 = Date.now();
  const lod = buildIctLod(head, target);
  const bytes = encodeIctLod(lod);
  writeFileSync(out, bytes);
  console.log(`${out}: ${lod.header.vertexCount} of ${head.vertexCount} vertices, ${lod.header.triangleCount} of ${head.triangles.length / 3} triangles, ${bytes.length} bytes, built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  head.groups.forEach((g, i) => console.log(`  ${g.region}/${g.material}${g.hidden ? ' (hidden)' : ''}: ${g.count} → ${lod.header.groupCounts[i]}`));
  const states = lodStates(head);
  for (const name of ['neutral', 'jawOpen', 'mouthSmile_L', 'eyeBlink_L', 'mouthFrown_R']) {
    const e = lodSurfaceErrorMm(head, lod, states.find((s) => s.name === name)!.positions);
    console.log(`  surface error, ${name}: mean ${e.mean.toFixed(3)} mm, p99 ${e.p99.toFixed(3)}, max ${e.max.toFixed(3)}`);
  }
}
