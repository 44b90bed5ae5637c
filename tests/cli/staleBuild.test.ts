import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { staleBuildReason } from '../../scripts/cli/staleBuild';

function repoWith(source: string | null, built: string | null): string {
  const root = mkdtempSync(join(tmpdir(), 'ig3d-stale-'));
  for (const [dir, text] of [['public/models', source], ['dist/models', built]] as const) {
    mkdirSync(join(root, dir), { recursive: true });
    if (text !== null) writeFileSync(join(root, dir, 'manifest.json'), text);
  }
  return root;
}

describe('staleBuildReason (batch/extract refuse a dist/ built from another default pack)', () => {
  it('accepts a build of the current pack', () => {
    expect(staleBuildReason(repoWith('{"a":1}', '{"a":1}'))).toBeNull();
  });
  it('names the fix when the pack changed after the build', () => {
    expect(staleBuildReason(repoWith('{"sha256":"new"}', '{"sha256":"old"}'))).toMatch(/another default pack.*npm run build/);
  });
  it('names the fix when the build has no pack', () => {
    expect(staleBuildReason(repoWith('{"a":1}', null))).toMatch(/dist\/models\/manifest\.json is missing/);
  });
});
