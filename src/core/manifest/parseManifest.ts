/**
 * Validate a manifest at the boundary. Errors name the bad field ("models[1].input.size: ..."),
 * because the person fixing a pack needs to know where to look.
 */
import { manifestSchema, type Manifest, type ModelEntry, type ModelRole } from './schema';
import { permutationToInternal } from '../classes/expressionClasses';
import { REGRESSOR_OUTPUTS } from '../flame/regressorParams';

export type ManifestResult = { ok: true; manifest: Manifest } | { ok: false; errors: string[] };

function pathToString(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === 'number') return `${acc}[${key}]`;
    return acc ? `${acc}.${String(key)}` : String(key);
  }, '');
}

export function parseManifest(input: unknown): ManifestResult {
  if (typeof input === 'string') {
    try {
      input = JSON.parse(input);
    } catch (e) {
      return { ok: false, errors: [`manifest.json is not valid JSON: ${(e as Error).message}`] };
    }
  }
  const parsed = manifestSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => `${pathToString(i.path) || 'manifest'}: ${i.message}`),
    };
  }
  // Class orders must be permutations; checked here so a bad pack fails at load, not mid-stream.
  const errors: string[] = [];
  parsed.data.models.forEach((m, i) => {
    if (m.role === 'fei2d' || m.role === 'head3d') {
      const { classOrder, missing } = m.outputs.logits;
      try {
        permutationToInternal(classOrder, { allowMissing: missing === 'abstain' });
      } catch (e) {
        const hint = classOrder.length < 8 && !missing ? ' (a model without some classes must set outputs.logits.missing: "abstain")' : '';
        errors.push(`models[${i}].outputs.logits.classOrder: ${(e as Error).message}${hint}`);
      }
      if (m.calibration && m.calibration.prior.length !== classOrder.length) {
        errors.push(`models[${i}].calibration.prior: ${m.calibration.prior.length} values, but the model has ${classOrder.length} classes (one per classOrder entry)`);
      }
      const dp = m.calibration?.datasetPrior;
      if (dp) {
        for (const k of ['bias', 'sourcePrior'] as const) {
          if (dp[k].length !== classOrder.length) errors.push(`models[${i}].calibration.datasetPrior.${k}: ${dp[k].length} values, but the model has ${classOrder.length} classes (one per classOrder entry)`);
        }
      }
    }
    if (m.role === 'head3d' && m.input.standardize) {
      const n = m.input.features.reduce((s, f) => s + f.size, 0);
      const { mean, std } = m.input.standardize;
      if (mean.length !== n || std.length !== n) {
        errors.push(`models[${i}].input.standardize: mean/std have ${mean.length}/${std.length} values, features add up to ${n}`);
      }
    }
    if (m.role === 'regressor3d') {
      // The FLAME decoder needs each family's groups at their upstream sizes.
      for (const [group, size] of Object.entries(REGRESSOR_OUTPUTS[m.family])) {
        const out = m.outputs[group as keyof typeof m.outputs];
        if (!out) errors.push(`models[${i}].outputs.${group}: missing (${m.family} exports need ${Object.keys(REGRESSOR_OUTPUTS[m.family]).join(', ')})`);
        else if (out.size !== size) errors.push(`models[${i}].outputs.${group}.size: ${out.size}, but ${m.family} gives ${size}`);
      }
    }
    if (m.role === 'fei2d' || m.role === 'regressor3d') {
      const { channels, colorOrder, normalize } = m.input;
      if ((channels === 1) !== (colorOrder === 'gray')) {
        errors.push(`models[${i}].input.colorOrder: "${colorOrder}" does not fit ${channels} channel(s)`);
      }
      if (normalize && (normalize.mean.length !== channels || normalize.std.length !== channels)) {
        errors.push(`models[${i}].input.normalize: needs ${channels} mean and std value(s)`);
      }
    }
  });
  // Several 2D models: the fusion must say how much each counts, by id, and nothing else.
  const ids2d = parsed.data.models.filter((m) => m.role === 'fei2d').map((m) => m.id);
  const w2d = parsed.data.fusion?.weights2d;
  if (ids2d.length > 1 && !w2d) errors.push(`fusion.weights2d: required with several 2D models (${ids2d.join(', ')})`);
  if (w2d) {
    for (const id of ids2d) if (!(id in w2d)) errors.push(`fusion.weights2d.${id}: missing (one weight per 2D model)`);
    for (const id of Object.keys(w2d)) if (!ids2d.includes(id)) errors.push(`fusion.weights2d.${id}: no 2D model (role fei2d) has this id`);
    if (ids2d.every((id) => !(w2d[id] > 0))) errors.push('fusion.weights2d: at least one 2D model needs a weight above 0');
  }
  return errors.length ? { ok: false, errors } : { ok: true, manifest: parsed.data };
}

/** Every model with a given role, in manifest order (several fei2d models are fused on the 2D side). */
export function modelsByRole<R extends ModelRole>(m: Manifest, role: R): Extract<ModelEntry, { role: R }>[] {
  return m.models.filter((x) => x.role === role) as Extract<ModelEntry, { role: R }>[];
}

/** The model with a given role, typed by role. */
export function modelByRole<R extends ModelRole>(m: Manifest, role: R): Extract<ModelEntry, { role: R }> | undefined {
  return m.models.find((x) => x.role === role) as Extract<ModelEntry, { role: R }> | undefined;
}
