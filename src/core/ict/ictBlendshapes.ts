/**
 * MediaPipe's 52 blendshape scores → weights of ICT-FaceKit's 53 expression shapes.
 *
 * Both follow ARKit's naming: MediaPipe writes the side as a `Left`/`Right` suffix, ICT as `_L`/`_R`,
 * except where Left/Right is a direction of motion, not a side (jawLeft, mouthRight, …): same name.
 * ICT splits two of ARKit's symmetric shapes into halves (browInnerUp, cheekPuff); MediaPipe's single
 * score drives both halves. MediaPipe's `_neutral` is not a shape. An ICT shape with no MediaPipe
 * counterpart keeps weight 0 (none with the shipped asset, but a rebuilt asset may add some).
 */
import { BLENDSHAPE_NAMES } from '../blendshapeModel/blendshapeNames';

/** Shapes whose Left/Right says which way the jaw or mouth moves. */
const DIRECTIONS = new Set(['jawLeft', 'jawRight', 'mouthLeft', 'mouthRight']);

/** ICT names driven by one MediaPipe name. */
export function ictNamesFor(mediapipeName: string): string[] {
  if (mediapipeName === '_neutral') return [];
  if (mediapipeName === 'browInnerUp' || mediapipeName === 'cheekPuff') return [`${mediapipeName}_L`, `${mediapipeName}_R`];
  if (DIRECTIONS.has(mediapipeName)) return [mediapipeName];
  const m = /^(.*)(Left|Right)$/.exec(mediapipeName);
  if (m) return [`${m[1]}_${m[2] === 'Left' ? 'L' : 'R'}`];
  return [mediapipeName];
}

/** For each ICT shape, the index of the MediaPipe score that drives it, or −1. */
export function buildIctMapping(ictNames: readonly string[], mediapipeNames: readonly string[] = BLENDSHAPE_NAMES): Int16Array {
  const source = new Map<string, number>();
  mediapipeNames.forEach((mp, i) => {
    for (const ict of ictNamesFor(mp)) source.set(ict, i);
  });
  return Int16Array.from(ictNames, (n) => source.get(n) ?? -1);
}

/** Fill `out` (one weight per ICT shape) from MediaPipe scores through a mapping from buildIctMapping. */
export function mapBlendshapes(scores: ArrayLike<number>, mapping: Int16Array, into?: Float32Array): Float32Array {
  const out = into ?? new Float32Array(mapping.length);
  for (let j = 0; j < mapping.length; j++) out[j] = mapping[j] >= 0 ? scores[mapping[j]] ?? 0 : 0;
  return out;
}
