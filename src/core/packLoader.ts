/**
 * Pack loading: which models the manifest names for each role, and their bytes (dropped files
 * first, then the pack URL; sha256 checked). Fetched in parallel: the network, not the CPU,
 * dominates start-up.
 */
import { modelByRole, modelsByRole } from './manifest/parseManifest';
import type { Fei2dModel, Head3dModel, LandmarkerModel, Manifest, MorphableModel, Regressor3dModel } from './manifest/schema';
import { loadPackFile, type PackSource } from './inference/packFiles';

export interface Loaded<M> {
  model: M;
  bytes: Uint8Array;
}

export interface LoadedPack {
  manifest: Manifest;
  landmarker: Loaded<LandmarkerModel>;
  /** The 2D models, in manifest order (several are fused on the 2D side). */
  fei2d: Loaded<Fei2dModel>[];
  head3d?: Loaded<Head3dModel>;
  /** A FLAME pack: the regressor and flame.bin always come together. */
  flame?: { regressor: Loaded<Regressor3dModel>; morphable: Loaded<MorphableModel> };
}

export async function loadPack(source: PackSource & { manifest: Manifest }): Promise<LoadedPack> {
  const { manifest } = source;
  const landmarker = modelByRole(manifest, 'landmarker');
  if (!landmarker) throw new Error('the pack has no landmarker model');
  const regressor = modelByRole(manifest, 'regressor3d');
  const morphable = modelByRole(manifest, 'morphable');
  if (regressor && !morphable) throw new Error(`the pack has a FLAME regressor (${regressor.id}) but no model with role "morphable" (flame.bin)`);

  const load = async <M extends { file: string; sha256?: string }>(model: M | undefined): Promise<Loaded<M> | undefined> =>
    model ? { model, bytes: await loadPackFile(source, model.file, model.sha256) } : undefined;
  const [lm, fei2d, head3d, reg, morph] = await Promise.all([
    load(landmarker),
    Promise.all(modelsByRole(manifest, 'fei2d').map(async (m) => (await load(m))!)),
    load(modelByRole(manifest, 'head3d')),
    load(regressor),
    load(regressor ? morphable : undefined),
  ]);
  return { manifest, landmarker: lm!, fei2d, head3d, ...(reg && morph ? { flame: { regressor: reg, morphable: morph } } : {}) };
}
