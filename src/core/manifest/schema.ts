/**
 * Model-pack manifest: the typed contract between a pack on disk and the inference core.
 *
 * A pack is a folder with `manifest.json` plus the files it names. Everything the core needs
 * to run a model (tensor names, sizes, colour order, normalisation, crop recipe, which output
 * means what, in which class order) is declared here, so new models drop in without code.
 */
import { z } from 'zod';
import { EXPRESSIONS } from '../classes/expressionClasses';

const expressionName = z.enum(EXPRESSIONS);

/** A path inside the pack: relative, no `..`, no scheme, so a manifest can't point off-origin. */
const packPath = z
  .string()
  .min(1)
  .refine((p) => !/^[a-z][a-z0-9+.-]*:/i.test(p) && !p.startsWith('/') && !p.split('/').includes('..'), {
    message: 'must be a relative path inside the pack (no "..", no URL, no leading "/")',
  });

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits');

/** How the face is cut out of the frame before a model sees it. Geometry lives in core/crop. */
export const cropRecipeSchema = z.discriminatedUnion('kind', [
  z.object({
    /** Similarity transform placing eye centres and mouth centre at template positions (fractions of the crop). */
    kind: z.literal('aligned'),
    leftEye: z.tuple([z.number(), z.number()]),
    rightEye: z.tuple([z.number(), z.number()]),
    mouth: z.tuple([z.number(), z.number()]),
  }),
  z.object({
    /** Axis-aligned square around landmarks: side = (w + h) / 2 * scale, centred on the box centre. */
    kind: z.literal('landmark-box'),
    landmarks: z.enum(['all', 'ibug68']).default('all'),
    scale: z.number().positive(),
  }),
]);

export const imageInputSchema = z.object({
  name: z.string().min(1),
  /** [height, width] of the crop fed to the model. */
  size: z.tuple([z.number().int().min(8).max(1024), z.number().int().min(8).max(1024)]),
  channels: z.union([z.literal(1), z.literal(3)]),
  colorOrder: z.enum(['gray', 'rgb', 'bgr']),
  layout: z.enum(['NCHW', 'NHWC']).default('NCHW'),
  /** Pixel value range before normalisation: [0,1] means x/255. */
  range: z.enum(['0-1', '0-255']).default('0-1'),
  normalize: z
    .object({ mean: z.array(z.number()).min(1).max(3), std: z.array(z.number().positive()).min(1).max(3) })
    .optional(),
  crop: cropRecipeSchema,
});

const tensorRef = z.object({ name: z.string().min(1) });
const classLogitsOutput = tensorRef.extend({
  /**
   * Class of each output index. Normally a permutation of the 8 classes; a model trained
   * without some classes (face-api's 7) lists only its own and must say how the others are
   * handled in `missing`.
   */
  classOrder: z.array(expressionName).min(2).max(EXPRESSIONS.length),
  /**
   * For a model without some classes: 'abstain' = the model says nothing about them (−∞ logit,
   * probability 0 alone); in the 2D-side fusion the other branches decide those classes.
   */
  missing: z.literal('abstain').optional(),
});

/**
 * Label-shift EM (Saerens et al. 2002) on recalibrated posteriors ("BCTS": one temperature and a
 * per-class bias, Alexandari et al. 2020): estimates the batch's class mix π̂ from its unlabelled
 * faces and re-weights each face by π̂ / sourcePrior. On a dataset with the training mix it changes
 * little; on a posed set (no neutral faces) it stops the training prior from deciding.
 */
export const datasetPriorSchema = z.object({
  method: z.literal('em-bcts'),
  /** Multiplies the branch's log-probabilities (fitted by NLL on a validation split). */
  temperature: z.number().positive().max(20),
  /** Added after the temperature, per output in the model's classOrder. */
  bias: z.array(z.number().min(-20).max(20)).min(2).max(EXPRESSIONS.length),
  /** The recalibrated model's mean posterior on that split, in classOrder: where EM starts. */
  sourcePrior: z.array(z.number().positive()).min(2).max(EXPRESSIONS.length),
  /** Dirichlet pull towards sourcePrior, in pseudo-faces: keeps small batches from over-reacting. */
  alpha: z.number().min(0).max(10000).default(50),
  /** Fewer faces than this: the batch keeps the branch as trained and says why. */
  minItems: z.number().int().min(1).default(30),
  /** Whether batch runs (Batch tab, CLI) start with it (it then replaces the fixed correction there). */
  enabled: z.boolean().default(true),
  source: z.string().optional(),
});

/**
 * Class-prior correction (logit adjustment, Menon et al. 2021): ℓ'_c = ℓ_c − τ·log π_c, where π is
 * the class distribution the model was trained on. A net trained on FER+ (36 % neutral, 0.6 %
 * contempt) learns that prior; subtracting it lets the face, not the dataset, decide. Applied
 * where the branch's logits are produced (core/branches/logitHead.ts); the user can switch it off.
 */
export const calibrationSchema = z.object({
  kind: z.literal('prior-correction'),
  /** Training prior per output, in the model's classOrder (normalised at load). */
  prior: z.array(z.number().positive()).min(2).max(EXPRESSIONS.length),
  /** Strength τ ≥ 0 (0 = off, 1 = full logit adjustment); chosen on a validation split. */
  tau: z.number().min(0).max(3),
  /** Whether it is on by default for datasets (batch, CLI, teaching mode). */
  enabled: z.boolean().default(true),
  /**
   * Whether it is on by default in the live view (default: as `enabled`). A webcam has no dataset
   * prior: a visitor tries every expression, so the training set's 36 % neutral should not decide.
   */
  live: z.boolean().optional(),
  /** Where the prior and τ come from, for the model card and the UI. */
  source: z.string().optional(),
  /**
   * Batch runs only: adapt the answers to the dataset's own class mix, without labels
   * (core/calibration/datasetPrior.ts). Needs every row, so it runs when a batch ends, never per frame.
   */
  datasetPrior: datasetPriorSchema.optional(),
});

/** A valence or arousal output: either its own tensor, or one column of a shared tensor. */
const scalarOutput = tensorRef.extend({
  index: z.number().int().min(0).default(0),
  /** Range the model emits, mapped to -1..1 in the app. */
  range: z.tuple([z.number(), z.number()]).default([-1, 1]),
});

/** Names of the 3D parameter groups the core can assemble into a head3d input vector. */
export const FEATURE_GROUPS = [
  // from MediaPipe FaceLandmarker
  'blendshapes', // 52 scores
  'headPose', // 6: yaw, pitch, roll (rad) + tx, ty, tz (normalised)
  'canonicalLandmarks', // 478×3: landmarks in the canonical (pose-free, metric) face frame, cm
  // from a FLAME regressor (EMOCA / SMIRK)
  'shape',
  'exp',
  'pose',
  'jaw',
  'eyelid',
  'cam',
  'tex',
  'light',
  'detail',
] as const;
export type FeatureGroup = (typeof FEATURE_GROUPS)[number];

const featureSlice = z.object({ group: z.enum(FEATURE_GROUPS), size: z.number().int().positive() });

const baseModel = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'letters, digits, "-" or "_"'),
  file: packPath,
  sha256: sha256.optional(),
  licence: z.string().optional(),
  card: packPath.optional(),
  /** Packs built from random weights say so; the UI labels them. */
  synthetic: z.boolean().default(false),
});

export const landmarkerModelSchema = baseModel.extend({
  role: z.literal('landmarker'),
  numFaces: z.number().int().min(1).max(8).default(4),
});

/**
 * Test-time augmentation of the 2D model: average the logits of the crop and its mirror image,
 * either always or only when the first pass's top-1 − top-2 probability margin is below
 * `flipWhenMarginBelow` (see core/inference/testTimeFlip.ts).
 */
export const testTimeAugmentationSchema = z.object({
  flip: z.boolean(),
  flipWhenMarginBelow: z.number().gt(0).max(1).optional(),
});

export const fei2dModelSchema = baseModel.extend({
  role: z.literal('fei2d'),
  input: imageInputSchema,
  testTimeAugmentation: testTimeAugmentationSchema.optional(),
  calibration: calibrationSchema.optional(),
  outputs: z.object({
    logits: classLogitsOutput,
    valence: scalarOutput.optional(),
    arousal: scalarOutput.optional(),
  }),
});

export const head3dModelSchema = baseModel.extend({
  role: z.literal('head3d'),
  calibration: calibrationSchema.optional(),
  input: z.object({
    name: z.string().min(1),
    /** The feature vector is these groups concatenated in this order. */
    features: z.array(featureSlice).min(1),
    /** Standardisation applied before the network: (x - mean) / std, per element. */
    standardize: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }).optional(),
  }),
  outputs: z.object({
    logits: classLogitsOutput,
    valence: scalarOutput.optional(),
    arousal: scalarOutput.optional(),
  }),
});

export const regressor3dModelSchema = baseModel.extend({
  role: z.literal('regressor3d'),
  /** Which upstream model this is an export of; decides the FLAME decoding conventions. */
  family: z.enum(['emoca-v2', 'smirk']),
  input: imageInputSchema,
  /** Output tensor name and size per parameter group, e.g. exp → {name:'exp', size:50}; only the groups the model has. */
  outputs: z.partialRecord(z.enum(FEATURE_GROUPS), tensorRef.extend({ size: z.number().int().positive() })),
});

export const morphableModelSchema = baseModel.extend({
  role: z.literal('morphable'),
  format: z.literal('flame-bin-v1'),
});

export const modelEntrySchema = z.discriminatedUnion('role', [
  landmarkerModelSchema,
  fei2dModelSchema,
  head3dModelSchema,
  regressor3dModelSchema,
  morphableModelSchema,
]);

export const fusionSchema = z.object({
  /** Default mode shown in the UI. */
  mode: z.enum(['2d', '3d', 'weighted', 'mean', 'max']).default('weighted'),
  /** ℓ = w·ℓ2D + (1−w)·ℓ3D; chosen on a validation split. */
  weight2d: z.number().min(0).max(1),
  /** Same idea for valence/arousal when both branches output VA (paper: 0.6). */
  vaWeight2d: z.number().min(0).max(1).default(0.6),
  /**
   * Packs with several 2D models (role fei2d): the 2D side is their weighted mean of
   * log-probabilities, by model id (core/fusion/combine2d.ts). Required when there are several.
   */
  weights2d: z.record(z.string(), z.number().min(0)).optional(),
});

export const manifestSchema = z
  .object({
    schemaVersion: z.literal(1),
    name: z.string().min(1),
    description: z.string().default(''),
    synthetic: z.boolean().default(false),
    models: z.array(modelEntrySchema).min(1),
    fusion: fusionSchema.optional(),
  })
  .superRefine((m, ctx) => {
    const roles = m.models.map((x) => x.role);
    // Several 2D models may be fused on the 2D side; every other role is one model.
    for (const role of ['landmarker', 'head3d', 'regressor3d', 'morphable'] as const) {
      if (roles.filter((r) => r === role).length > 1) {
        ctx.addIssue({ code: 'custom', path: ['models'], message: `more than one model with role "${role}"` });
      }
    }
    if (!roles.includes('landmarker')) {
      ctx.addIssue({ code: 'custom', path: ['models'], message: 'a pack needs a model with role "landmarker"' });
    }
    const ids = m.models.map((x) => x.id);
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i) ctx.addIssue({ code: 'custom', path: ['models', i, 'id'], message: `duplicate id "${id}"` });
    });
  });

export type CropRecipe = z.infer<typeof cropRecipeSchema>;
export type ImageInputSpec = z.infer<typeof imageInputSchema>;
export type LandmarkerModel = z.infer<typeof landmarkerModelSchema>;
export type Fei2dModel = z.infer<typeof fei2dModelSchema>;
export type Head3dModel = z.infer<typeof head3dModelSchema>;
export type Regressor3dModel = z.infer<typeof regressor3dModelSchema>;
export type MorphableModel = z.infer<typeof morphableModelSchema>;
export type ModelEntry = z.infer<typeof modelEntrySchema>;
export type FusionConfig = z.infer<typeof fusionSchema>;
export type Calibration = z.infer<typeof calibrationSchema>;
export type DatasetPriorDecl = z.infer<typeof datasetPriorSchema>;
export type Manifest = z.infer<typeof manifestSchema>;
export type ModelRole = ModelEntry['role'];
