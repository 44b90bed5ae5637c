import type { PriorMode } from '../../src/core/calibration/datasetPrior';
/** Tiny argv parser for the CLIs: positional input plus --key value / --flag. */
export function parseArgs(argv: string[]): { positional: string[]; flags: Record<string, string | true> } {
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        flags[a.slice(2)] = next;
        i++;
      } else flags[a.slice(2)] = true;
    } else positional.push(a);
  }
  return { positional, flags };
}

/**
 * `--calibration off|on|dataset`: how the run treats the training prior — as trained, the pack's
 * fixed correction (τ), or adapted to the dataset's own class mix when the run ends; absent = the
 * pack's default (core/calibration/datasetPrior.ts defaultBatchPriorMode).
 */
export function calibrationFlag(value: string | boolean | undefined, allowed: readonly PriorMode[] = ['off', 'fixed', 'dataset']): PriorMode | undefined {
  if (value === undefined) return undefined;
  const mode = value === 'on' ? 'fixed' : value;
  if (typeof mode === 'string' && (allowed as readonly string[]).includes(mode)) return mode as PriorMode;
  const names = allowed.map((m) => (m === 'fixed' ? 'on' : m));
  console.error(`--calibration takes ${names.map((n) => `"${n}"`).join(', ')}, got ${JSON.stringify(value)}`);
  process.exit(2);
}
