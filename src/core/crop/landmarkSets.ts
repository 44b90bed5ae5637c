/**
 * Named MediaPipe Face Mesh landmark index sets used for cropping.
 *
 * "Image-left" / "image-right" name the side of the picture the eye appears on in an
 * un-mirrored image: the subject's right eye is on the image left. The manifest's
 * `leftEye` template is the image-left eye, like the usual 5-point face templates.
 */

/** Subject's right eye contour (MediaPipe FACEMESH_RIGHT_EYE), appears on the image left. */
export const IMAGE_LEFT_EYE = [33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173] as const;
/** Subject's left eye contour (MediaPipe FACEMESH_LEFT_EYE), appears on the image right. */
export const IMAGE_RIGHT_EYE = [263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398] as const;
/**
 * Mouth centre = mean of the two mouth corners (61, 291). Corners, not the lip contour,
 * because an open mouth (surprise) drags the contour mean down and would shift the crop.
 */
export const MOUTH_CORNERS = [61, 291] as const;

/**
 * MediaPipe (468/478) → iBUG-68 (dlib) correspondence; rows with two indices are averaged.
 * Source: Peizhi Yan, "Mediapipe_2_Dlib_Landmarks" (github.com/PeizhiYan/Mediapipe_2_Dlib_Landmarks,
 * mediapipe2dlib/mp2dlib.py, 2024). Row k is iBUG point k+1.
 */
export const MEDIAPIPE_TO_IBUG68: readonly (readonly number[])[] = [
  // jaw 1-17
  [127], [234], [93], [132, 58], [58, 172], [136], [150], [176], [152], [400], [379], [365], [397, 288], [361], [323], [454], [356],
  // right brow 18-22, left brow 23-27
  [70], [63], [105], [66], [107], [336], [296], [334], [293], [300],
  // nose 28-36
  [168, 6], [197, 195], [5], [4], [75], [97], [2], [326], [305],
  // right eye 37-42, left eye 43-48
  [33], [160], [158], [133], [153], [144], [362], [385], [387], [263], [373], [380],
  // outer lips 49-60
  [61], [39], [37], [0], [267], [269], [291], [321], [314], [17], [84], [91],
  // inner lips 61-68
  [78], [82], [13], [312], [308], [317], [14], [87],
];
