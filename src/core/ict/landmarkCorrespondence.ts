/**
 * Which of MediaPipe's 478 landmarks corresponds to each of the 68 Multi-PIE landmarks that
 * ICT-FaceKit marks on its head (vertex_indices.json → idx_to_landmark_verts).
 *
 * Built, not copied: scripts/ict/build-landmark-correspondence.ts aligns the ICT neutral head to
 * MediaPipe's canonical face mesh (face_landmarker.task) with a similarity fitted on the ANCHORS
 * below, then gives each ICT landmark the nearest MediaPipe vertex on the matching contour
 * (MEDIAPIPE_CONTOURS: MediaPipe's own face-mesh contour lists). Re-run it to check the table; it
 * prints the distances (mean 5.0 mm, max 14.8 mm on the jaw contour: Multi-PIE's jaw points are a 2D
 * silhouette, MediaPipe's face oval a 3D line). Multi-PIE numbering, 0-based: 0–16 jaw contour (the
 * face's right to left), 17–26 brows, 27–35 nose, 36–47 eyes, 48–59 outer lips, 60–67 inner lips.
 */

/** [Multi-PIE number, MediaPipe index] pairs whose anatomy is unambiguous in both. */
export const ANCHORS: readonly (readonly [number, number])[] = [
  [36, 33], // right eye, outer corner
  [39, 133], // right eye, inner corner
  [42, 362], // left eye, inner corner
  [45, 263], // left eye, outer corner
  [27, 168], // nose bridge between the eyes
  [30, 1], // nose tip
  [33, 2], // subnasale
  [48, 61], // right mouth corner
  [54, 291], // left mouth corner
  [8, 152], // chin
];

/** MediaPipe face-mesh contours (landmark indices), as its FACEMESH_* connection sets list them. */
export const MEDIAPIPE_CONTOURS = {
  faceOval: [10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109],
  rightBrow: [46, 53, 52, 65, 55, 70, 63, 105, 66, 107],
  leftBrow: [276, 283, 282, 295, 285, 300, 293, 334, 296, 336],
  nose: Array.from({ length: 468 }, (_, i) => i),
  rightEye: [33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173],
  leftEye: [263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398],
  outerLips: [61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185],
  upperInnerLip: [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308],
  lowerInnerLip: [78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308],
} as const;

export function contourFor(multiPie: number): keyof typeof MEDIAPIPE_CONTOURS {
  if (multiPie <= 16) return 'faceOval';
  if (multiPie <= 21) return 'rightBrow';
  if (multiPie <= 26) return 'leftBrow';
  if (multiPie <= 35) return 'nose';
  if (multiPie <= 41) return 'rightEye';
  if (multiPie <= 47) return 'leftEye';
  if (multiPie <= 59) return 'outerLips';
  if (multiPie <= 64) return 'upperInnerLip';
  return 'lowerInnerLip';
}

/** Output of scripts/ict/build-landmark-correspondence.ts, indexed by Multi-PIE number. */
export const MULTIPIE68_TO_MEDIAPIPE: readonly number[] = [
  127, 234, 93, 132, 172, 136, 149, 148, 152, 377, 378, 365, 397, 361, 323, 454, 356, // jaw
  70, 63, 105, 66, 107, 336, 296, 334, 293, 300, // brows
  168, 197, 5, 4, 98, 97, 164, 326, 327, // nose
  33, 160, 158, 133, 153, 163, 362, 385, 387, 263, 390, 380, // eyes
  61, 40, 37, 0, 267, 270, 291, 321, 314, 17, 84, 91, // outer lips
  78, 81, 13, 311, 308, 402, 14, 178, // inner lips
];

/**
 * The face's 68 Multi-PIE points from MediaPipe image landmarks (x,y in 0..1, z in x's scale), as
 * y-up, z-toward-viewer points in pixels (weak perspective; the identity fit's similarity absorbs the
 * scale).
 */
export function observedLandmarks68(landmarks: ArrayLike<number>, width: number, height: number): Float64Array {
  const out = new Float64Array(68 * 3);
  MULTIPIE68_TO_MEDIAPIPE.forEach((m, i) => {
    out[3 * i] = landmarks[3 * m] * width;
    out[3 * i + 1] = -landmarks[3 * m + 1] * height;
    out[3 * i + 2] = -landmarks[3 * m + 2] * width;
  });
  return out;
}
