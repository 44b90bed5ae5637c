/**
 * The 8 expression classes and class-order maps.
 *
 * Everything inside the app uses AffectNet's order. A model trained with another order
 * (FER+ votes, RAF-DB, ...) declares its order in the manifest and is permuted once, at
 * the model boundary, so fusion never mixes two orders by accident.
 */

export const EXPRESSIONS = [
  'neutral',
  'happy',
  'sad',
  'surprise',
  'fear',
  'disgust',
  'anger',
  'contempt',
] as const;

export type Expression = (typeof EXPRESSIONS)[number];
export const NUM_CLASSES = EXPRESSIONS.length;

export const EXPRESSION_LABELS: Record<Expression, string> = {
  neutral: 'Neutral',
  happy: 'Happy',
  sad: 'Sad',
  surprise: 'Surprise',
  fear: 'Fear',
  disgust: 'Disgust',
  anger: 'Anger',
  contempt: 'Contempt',
};

/** FER+ vote columns (first 8 of 10; the last two are unknown / not-a-face). */
export const FERPLUS_ORDER: readonly Expression[] = [
  'neutral',
  'happy',
  'surprise',
  'sad',
  'anger',
  'disgust',
  'fear',
  'contempt',
];

/** Names people and datasets use for each class, lower-case; used for folder/CSV labels. */
export const EXPRESSION_SYNONYMS: Record<Expression, readonly string[]> = {
  neutral: ['neutral', 'neutrality', 'calm', 'ne', 'neu'],
  happy: ['happy', 'happiness', 'joy', 'smile', 'ha', 'hap'],
  sad: ['sad', 'sadness', 'sa'],
  surprise: ['surprise', 'surprised', 'su', 'sur'],
  fear: ['fear', 'fearful', 'afraid', 'scared', 'fe'],
  disgust: ['disgust', 'disgusted', 'di', 'dis'],
  anger: ['anger', 'angry', 'an', 'ang'],
  contempt: ['contempt', 'contemptuous', 'co', 'con'],
};

const SYNONYM_LOOKUP: Map<string, Expression> = new Map(
  EXPRESSIONS.flatMap((e) => EXPRESSION_SYNONYMS[e].map((s) => [s, e] as const)),
);

/** Map a label written by a person or dataset to a class; undefined when unknown (never guessed). */
export function expressionFromName(name: string): Expression | undefined {
  return SYNONYM_LOOKUP.get(name.trim().toLowerCase());
}

export function isExpression(name: string): name is Expression {
  return (EXPRESSIONS as readonly string[]).includes(name);
}

/**
 * For a model whose output k is class `order[k]`, returns `perm` such that
 * `internal[i] = modelOutput[perm[i]]` is in AffectNet order.
 * Throws when `order` is not a permutation of the 8 classes, unless `allowMissing`: then a
 * model may leave classes out (e.g. a 7-class net without contempt) and `perm[i]` is −1 there.
 */
export function permutationToInternal(order: readonly string[], opts: { allowMissing?: boolean } = {}): number[] {
  const unknown = order.filter((c) => !isExpression(c));
  if (unknown.length > 0) throw new Error(`class order has unknown classes: ${unknown.join(', ')}`);
  const repeated = order.filter((c, k) => order.indexOf(c) !== k);
  if (repeated.length > 0) throw new Error(`class order repeats: ${[...new Set(repeated)].join(', ')}`);
  if (!opts.allowMissing && order.length !== NUM_CLASSES) {
    throw new Error(`class order has ${order.length} entries, expected ${NUM_CLASSES}`);
  }
  const perm = EXPRESSIONS.map((cls) => order.indexOf(cls));
  const missing = EXPRESSIONS.filter((_, i) => perm[i] < 0);
  if (missing.length > 0 && !opts.allowMissing) {
    throw new Error(`class order is missing: ${missing.join(', ')}`);
  }
  return perm;
}

/**
 * Reorder one model's per-class vector into AffectNet order. A class the model does not have
 * (perm −1) gets −∞: probability 0 after softmax, and "abstains" in the 2D-side fusion.
 */
export function toInternalOrder(values: ArrayLike<number>, perm: readonly number[]): Float32Array {
  const out = new Float32Array(NUM_CLASSES);
  for (let i = 0; i < NUM_CLASSES; i++) out[i] = perm[i] < 0 ? -Infinity : values[perm[i]];
  return out;
}
