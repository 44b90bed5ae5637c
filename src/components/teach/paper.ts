/** The paper teaching mode explains, and the plain-language text for each pipeline stage. */

/** A link the user may click; nothing is ever fetched from it by the app. */
export const PAPER_URL = 'https://arxiv.org/abs/2408.16907';
export const PAPER_CITATION =
  'Dong et al., “Ig3D: Integrating 3D Face Representations in Facial Expression Inference”, ECCV 2024 workshops (arXiv:2408.16907)';

export interface StageText {
  title: string;
  text: string;
  /** Where in the paper (section name; the link goes to the paper's abstract page). */
  paper: string;
}

export const STAGES: Record<'input' | 'landmarks' | 'crop' | 'p2d' | 'params' | 'p3d' | 'fusion' | 'va', StageText> = {
  input: {
    title: '1 · Input frame',
    text: 'One frame from the webcam (or a photo). Everything below runs in this browser, on this computer: no image or number is sent anywhere.',
    paper: 'Introduction',
  },
  landmarks: {
    title: '2 · Face and landmarks',
    text: 'MediaPipe’s Face Landmarker finds the face and places 478 points on it, in 3D. From the same network we also get the head pose and 52 “blendshape” scores — how strongly each facial movement (jaw open, smile, brow raise…) is present.',
    paper: 'Method: 3D face representations',
  },
  crop: {
    title: '3 · What the 2D model sees',
    text: 'The 2D network does not see the whole frame: the face is cut out, rotated so the eyes are level, and shrunk to the small grey image it was trained on (48×48 pixels, like FER+).',
    paper: 'Method: 2D expression network',
  },
  p2d: {
    title: '4 · 2D network: probabilities from pixels',
    text: 'A convolutional network reads the pixels and scores the 8 expressions. It can use texture (wrinkles, teeth, shadows) but is easily misled by lighting, blur and head pose.',
    paper: 'Method: 2D expression network',
  },
  params: {
    title: '5 · 3D parameters',
    text: 'The same face as a short list of numbers: blendshape scores and head pose. No pixels, no lighting, no skin colour — only geometry. Ig3D uses 3D face-model parameters (FLAME expression, jaw, eyelids from EMOCA or SMIRK); this pack uses MediaPipe’s blendshapes the same way.',
    paper: 'Method: 3D face representations',
  },
  p3d: {
    title: '6 · 3D head: probabilities from geometry',
    text: 'A small network maps the 3D parameters to the same 8 expression scores. Try the sliders on the right: this is the part you are driving.',
    paper: 'Method: 3D expression head',
  },
  fusion: {
    title: '7 · Late fusion',
    text: 'The two answers are combined before the final softmax: ℓ = w·ℓ2D + (1−w)·ℓ3D. The branches make different mistakes, so the mix is usually better than either one. When they disagree, the more confident branch tends to win.',
    paper: 'Method: fusion of 2D and 3D (late fusion)',
  },
  va: {
    title: '8 · Valence and arousal',
    text: 'Expressions placed on Russell’s circumplex: valence (unpleasant ↔ pleasant) and arousal (calm ↔ excited). Without a VA head, the point is the probability-weighted average of each class’s typical position (AffectNet class centroids).',
    paper: 'Experiments: valence and arousal',
  },
};
