/**
 * Parity fixtures for the FLAME decoder, written by training/export/flame_numpy.py:
 *  - tests/flame/fixtures/reduced/: committed, small asset (77 vertices, 20/10 components)
 *  - .cache/flame-fixture/: full FLAME 2020 shapes (~27 MB, not committed), generated on demand
 *    with `/usr/bin/python3 training/export/flame_numpy.py --fixture .cache/flame-fixture`.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURE_VERSION = 'flame-fixture-v1';
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const REDUCED_DIR = join(ROOT, 'tests/flame/fixtures/reduced');
export const FULL_DIR = join(ROOT, '.cache/flame-fixture');
const SCRIPT = join(ROOT, 'training/export/flame_numpy.py');

export interface FixtureCase {
  name: string;
  params: {
    shape: number[];
    exp: number[];
    globalPose: number[];
    neck: number[];
    jaw: number[];
    eyes: number[];
    eyelid?: number[];
  };
  eyelidMode: 'post' | 'pre';
  vertices: number[];
  joints: number[];
}

export interface Fixture {
  dir: string;
  bin: Uint8Array;
  counts: { vertices: number; faces: number; shape: number; expression: number };
  cases: FixtureCase[];
}

export function loadFixture(dir: string): Fixture {
  const meta = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8'));
  if (meta.version !== FIXTURE_VERSION) throw new Error(`${dir}: fixture version ${meta.version}, expected ${FIXTURE_VERSION}`);
  const buf = readFileSync(join(dir, meta.asset));
  // copy into a fresh (aligned) ArrayBuffer, as fetch() would hand it over
  const bin = new Uint8Array(buf.byteLength);
  bin.set(buf);
  return { dir, bin, counts: meta.counts, cases: meta.cases };
}

/** Same as flame_numpy.generator_hash(): a cached fixture from an older generator is rebuilt. */
function generatorHash(): string {
  const h = createHash('sha256');
  for (const f of ['flame_numpy.py', 'flame_bin.py']) h.update(readFileSync(join(ROOT, 'training/export', f)));
  return h.digest('hex');
}

function fixtureIsCurrent(dir: string): boolean {
  try {
    const meta = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8'));
    return meta.version === FIXTURE_VERSION && meta.generatorHash === generatorHash() && existsSync(join(dir, meta.asset));
  } catch {
    return false;
  }
}

/** Returns the full-size fixture, generating it with Python when missing; null (with the reason) when that fails. */
export function ensureFullFixture(): { fixture: Fixture | null; reason: string } {
  if (!fixtureIsCurrent(FULL_DIR)) {
    const candidates = [process.env.FLAME_PYTHON, '/usr/bin/python3', 'python3'].filter(Boolean) as string[];
    let lastErr = 'no python3 found';
    let ok = false;
    for (const py of candidates) {
      const r = spawnSync(py, [SCRIPT, '--fixture', FULL_DIR], { encoding: 'utf8', timeout: 120_000 });
      if (r.status === 0) {
        ok = true;
        break;
      }
      lastErr = `${py}: ${r.error?.message ?? (r.stderr || '').trim().split('\n').slice(-1)[0]}`;
    }
    if (!ok) return { fixture: null, reason: `could not generate ${FULL_DIR} (${lastErr})` };
  }
  return { fixture: loadFixture(FULL_DIR), reason: '' };
}
