/**
 * Per-vertex colours of the ICT head: white everywhere except the iris and pupil discs on the front
 * of each eyeball. ICT's eyeball is two shells: M_Iris is the eyeball proper (white, iris and pupil
 * come from a texture in the original) and M_Sclera the clear outer layer (cornea and wet film);
 * without textures the renderer hides the clear layer and paints the eyeball with these colours.
 * Plain arithmetic on the asset, so the ICT head's loader worker computes it off the page's main
 * thread (worker/ictHead.worker.ts); the renderer (render3d/ictHeadRenderer.ts) only uploads it.
 */
import type { IctHead } from './ictAsset';

const EYE_WHITE = [0.93, 0.92, 0.9], IRIS = [0.3, 0.2, 0.13], PUPIL = [0.03, 0.03, 0.03];
const IRIS_RADIUS_CM = 0.58, PUPIL_RADIUS_CM = 0.22;

/** [V*3] RGB in 0..1. */
export function ictEyeColours(head: IctHead): Float32Array {
  const colours = new Float32Array(head.vertexCount * 3).fill(1);
  for (const g of head.groups) {
    if (!g.material.startsWith('M_Iris')) continue;
    const verts = new Set<number>();
    for (let t = 3 * g.start; t < 3 * (g.start + g.count); t++) verts.add(head.triangles[t]);
    let cx = 0, cy = 0, zMax = -Infinity;
    for (const v of verts) {
      cx += head.neutral[3 * v] / verts.size;
      cy += head.neutral[3 * v + 1] / verts.size;
      zMax = Math.max(zMax, head.neutral[3 * v + 2]);
    }
    for (const v of verts) {
      const rho = Math.hypot(head.neutral[3 * v] - cx, head.neutral[3 * v + 1] - cy);
      const front = head.neutral[3 * v + 2] > zMax - 0.8;
      const c = front && rho < PUPIL_RADIUS_CM ? PUPIL : front && rho < IRIS_RADIUS_CM ? IRIS : EYE_WHITE;
      colours.set(c, 3 * v);
    }
  }
  return colours;
}
