/**
 * Builds the MediaPipe 478 → Multi-PIE 68 correspondence used to fit the ICT head
 * (src/core/ict/landmarkCorrespondence.ts), from geometry alone:
 *   1. ten anatomical anchors whose MediaPipe index is unambiguous (eye corners, nose bridge, nose
 *      tip, subnasale, mouth corners, chin) give a similarity from the ICT neutral head's 68 landmark
 *      vertices (vertex_indices.json) onto MediaPipe's canonical face mesh (face_landmarker.task);
 *   2. each of the 68 ICT landmarks takes the nearest MediaPipe vertex on the matching contour
 *      (jaw → face oval, brow → brow, eye → eye outline, upper/lower inner lip → that half of the
 *      inner lip, …; MEDIAPIPE_CONTOURS), so that e.g. the closed neutral mouth's inner lips do not
 *      collapse onto one vertex.
 * Prints the table and the distances (mm) so a reviewer can check it.
 *
 *   npx tsx scripts/ict/build-landmark-correspondence.ts [../shared/models/face_landmarker.task]
 */
import { readFileSync } from 'node:fs';
import { canonicalMeshFromTask } from '../../src/core/mesh/canonicalMesh';
import { fitSimilarity } from '../../src/core/mesh/canonicalFrame';
import { parseIctHead } from '../../src/core/ict/ictAsset';
import { ANCHORS, MEDIAPIPE_CONTOURS, contourFor } from '../../src/core/ict/landmarkCorrespondence';

const taskPath = process.argv[2] ?? '../shared/models/face_landmarker.task';
const mp = canonicalMeshFromTask(new Uint8Array(readFileSync(taskPath)));
const ict = parseIctHead(new Uint8Array(readFileSync('public/models/ict_head.bin')));

// ICT's 68 landmarks as a flat array indexed by Multi-PIE number.
const ictLm = new Float64Array(68 * 3);
ict.landmarks68.forEach((v, i) => ictLm.set(ict.neutral.subarray(3 * v, 3 * v + 3), 3 * i));
// Source: ICT landmarks at the anchors' Multi-PIE numbers; target: MediaPipe at the anchors' indices.
const src = new Float64Array(ANCHORS.length * 3), dst = new Float64Array(ANCHORS.length * 3);
ANCHORS.forEach(([pie, mpi], k) => {
  src.set(ictLm.subarray(3 * pie, 3 * pie + 3), 3 * k);
  dst.set(mp.positions.subarray(3 * mpi, 3 * mpi + 3), 3 * k);
});
const sim = fitSimilarity(src, dst, ANCHORS.map((_, k) => k));
const R = sim.rotation;
console.log(`similarity ICT → MediaPipe canonical: scale ${sim.scale.toFixed(4)}, R diag ${R[0].toFixed(3)} ${R[4].toFixed(3)} ${R[8].toFixed(3)}`);
const table: number[] = [];
const dists: number[] = [];
for (let i = 0; i < 68; i++) {
  const p = [0, 1, 2].map((a) => sim.scale * (R[3 * a] * ictLm[3 * i] + R[3 * a + 1] * ictLm[3 * i + 1] + R[3 * a + 2] * ictLm[3 * i + 2]) + sim.translation[a]);
  let best = -1, bestD = Infinity;
  for (const j of MEDIAPIPE_CONTOURS[contourFor(i)]) {
    const d = Math.hypot(mp.positions[3 * j] - p[0], mp.positions[3 * j + 1] - p[1], mp.positions[3 * j + 2] - p[2]);
    if (d < bestD) { bestD = d; best = j; }
  }
  table.push(best);
  dists.push(bestD * 10);
}
console.log(`MULTIPIE68_TO_MEDIAPIPE = [${table.join(', ')}]`);
console.log(`distance to the chosen vertex, mm: mean ${(dists.reduce((a, b) => a + b) / 68).toFixed(2)}, max ${Math.max(...dists).toFixed(2)}`);
console.log(dists.map((d, i) => `${i}:${d.toFixed(1)}`).join(' '));
const dup = table.filter((v, i) => table.indexOf(v) !== i);
if (dup.length) console.log(`shared MediaPipe vertices: ${[...new Set(dup)].join(', ')}`);
