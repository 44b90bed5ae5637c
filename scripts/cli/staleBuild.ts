/**
 * `npm run batch` / `extract` serve the built app in dist/, not the sources. When the default pack in
 * public/models changed after the last build (a retrained model, a new manifest), they would silently
 * score the old models; this says so instead. The manifest is the pack's fingerprint: it carries every
 * model file's sha256, so a model swapped without its manifest fails the app's own integrity check.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Why dist/ cannot be trusted for the default pack (null when it matches public/models). */
export function staleBuildReason(repoRoot: string): string | null {
  const built = join(repoRoot, 'dist', 'models', 'manifest.json');
  const source = join(repoRoot, 'public', 'models', 'manifest.json');
  if (!existsSync(source)) return null;
  if (!existsSync(built)) return 'dist/models/manifest.json is missing: run `npm run build` first';
  if (readFileSync(built, 'utf8') !== readFileSync(source, 'utf8')) {
    return 'dist/ was built from another default pack than public/models/manifest.json (a model changed since the last build): run `npm run build` first';
  }
  return null;
}
