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
      try {
        permutationToInternal(m.outputs.logits.classOrder);
      } catch (e) {
        errors.push(`models[${i}].outputs.logits.classOrder: ${(e as Error).message}`);
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
  return errors.length ? { ok: false, errors } : { ok: true, manifest: parsed.data };
}

/** The model with a given role, typed by role. */
export function modelByRole<R extends ModelRole>(m: Manifest, role: R): Extract<ModelEntry, { role: R }> | undefined {
  return m.models.find((x) => x.role === role) as Extract<ModelEntry, { role: R }> | undefined;
}
