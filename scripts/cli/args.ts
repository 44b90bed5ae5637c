import type { PriorMode } from '../../src/core/calibration/datasetPrior';
import { DEFAULT_WHOLE_IMAGE_FALLBACK, WHOLE_IMAGE_FALLBACKS, parseWholeImageFallback, type WholeImageFallback } from '../../src/core/crop/wholeImageFallback';
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

/**
 * `--whole-image-fallback [face-crops|always|off]`: when no face is found in an image, may the 2D model
 * read it whole (src/core/crop/wholeImageFallback.ts)? The bare flag means `always` (what it meant
 * before it took a value); absent = `fallback` (the batch default, 'face-crops'); `--no-whole-image-fallback` = `off`.
 */
export function wholeImageFlag(flags: Record<string, string | true>, fallback: WholeImageFallback = DEFAULT_WHOLE_IMAGE_FALLBACK): WholeImageFallback {
  const value = flags['whole-image-fallback'];
  if (flags['no-whole-image-fallback']) {
    if (value !== undefined) {
      console.error('--whole-image-fallback and --no-whole-image-fallback contradict each other');
      process.exit(2);
    }
    return 'off';
  }
  if (value === undefined) return fallback;
  if (value === true) return 'always';
  const policy = parseWholeImageFallback(value);
  if (policy) return policy;
  console.error(`--whole-image-fallback takes ${WHOLE_IMAGE_FALLBACKS.map((n) => `"${n}"`).join(', ')} (or nothing: "always"), got ${JSON.stringify(value)}`);
  process.exit(2);
}
