/**
 * Teaching mode's face-parameter adapter for a pack: a FLAME pack drives FLAME (its flame.bin);
 * any other pack drives the learned blendshape geometry (with its data-made presets when the
 * pack has them). Files come through the pack loader (dropped files first, then the pack URL).
 */
import type { Manifest } from '../manifest/schema';
import { modelByRole } from '../manifest/parseManifest';
import { loadPackFile, type PackSource } from '../inference/packFiles';
import { parseFlameAsset } from '../flame/flameAsset';
import { parseBlendshapeGeometry } from './blendshapeGeometry';
import { createMediapipeAdapter, parsePresetsFile, type FaceParamAdapter, type PresetsFile } from './faceParams';
import { createFlameAdapter } from './flameAdapter';

export const GEOMETRY_FILE = 'blendshape_geometry.bin';
export const PRESETS_FILE = 'blendshape_geometry.presets.json';

export interface LoadedAdapter {
  adapter: FaceParamAdapter;
  presetsInfo?: Pick<PresetsFile, 'source' | 'method'>;
  /** Caption for the sliders' starting values. */
  origin: string;
}

export async function loadFaceParamAdapter(source: PackSource, manifest: Manifest, triangles: Uint32Array): Promise<LoadedAdapter> {
  const morphable = modelByRole(manifest, 'morphable');
  const regressor = modelByRole(manifest, 'regressor3d');
  if (morphable && regressor) {
    const bytes = await loadPackFile(source, morphable.file);
    return { adapter: createFlameAdapter({ asset: parseFlameAsset(bytes), family: regressor.family }), origin: 'FLAME mean face (all parameters 0)' };
  }
  const [geometryBytes, presetsBytes] = await Promise.all([loadPackFile(source, GEOMETRY_FILE), loadPackFile(source, PRESETS_FILE).catch(() => undefined)]);
  const geometry = parseBlendshapeGeometry(geometryBytes);
  const presets = presetsBytes ? parsePresetsFile(JSON.parse(new TextDecoder().decode(presetsBytes))) : undefined;
  return {
    adapter: createMediapipeAdapter({ geometry, triangles, presets }),
    presetsInfo: presets && { source: presets.source, method: presets.method },
    origin: 'neutral start (all blendshapes 0)',
  };
}
