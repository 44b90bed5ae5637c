/** MediaPipe Face Landmarker's 52 blendshape categories, in output order, and face regions for the UI. */

export const BLENDSHAPE_NAMES = [
  '_neutral', 'browDownLeft', 'browDownRight', 'browInnerUp', 'browOuterUpLeft', 'browOuterUpRight',
  'cheekPuff', 'cheekSquintLeft', 'cheekSquintRight', 'eyeBlinkLeft', 'eyeBlinkRight',
  'eyeLookDownLeft', 'eyeLookDownRight', 'eyeLookInLeft', 'eyeLookInRight', 'eyeLookOutLeft',
  'eyeLookOutRight', 'eyeLookUpLeft', 'eyeLookUpRight', 'eyeSquintLeft', 'eyeSquintRight',
  'eyeWideLeft', 'eyeWideRight', 'jawForward', 'jawLeft', 'jawOpen', 'jawRight', 'mouthClose',
  'mouthDimpleLeft', 'mouthDimpleRight', 'mouthFrownLeft', 'mouthFrownRight', 'mouthFunnel',
  'mouthLeft', 'mouthLowerDownLeft', 'mouthLowerDownRight', 'mouthPressLeft', 'mouthPressRight',
  'mouthPucker', 'mouthRight', 'mouthRollLower', 'mouthRollUpper', 'mouthShrugLower',
  'mouthShrugUpper', 'mouthSmileLeft', 'mouthSmileRight', 'mouthStretchLeft', 'mouthStretchRight',
  'mouthUpperUpLeft', 'mouthUpperUpRight', 'noseSneerLeft', 'noseSneerRight',
] as const;

export type BlendshapeName = (typeof BLENDSHAPE_NAMES)[number];

export type FaceRegion = 'brows' | 'eyes' | 'gaze' | 'cheeksNose' | 'jaw' | 'mouth' | 'other';

export const FACE_REGION_LABELS: Record<FaceRegion, string> = {
  brows: 'Brows',
  eyes: 'Eyelids',
  gaze: 'Gaze',
  cheeksNose: 'Cheeks & nose',
  jaw: 'Jaw',
  mouth: 'Mouth',
  other: 'Other',
};

export function blendshapeRegion(name: string): FaceRegion {
  if (name.startsWith('brow')) return 'brows';
  if (name.startsWith('eyeLook')) return 'gaze';
  if (name.startsWith('eye')) return 'eyes';
  if (name.startsWith('cheek') || name.startsWith('nose')) return 'cheeksNose';
  if (name.startsWith('jaw')) return 'jaw';
  if (name.startsWith('mouth')) return 'mouth';
  return 'other';
}
