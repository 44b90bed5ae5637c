import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseArgs, wholeImageFlag } from '../../scripts/cli/args';

const flagsOf = (...argv: string[]) => parseArgs(['folder', ...argv]).flags;

describe('--whole-image-fallback', () => {
  afterEach(() => vi.restoreAllMocks());

  it('absent: the default given (batch: face-crops; extract: always)', () => {
    expect(wholeImageFlag(flagsOf('--out', 'r.csv'))).toBe('face-crops');
    expect(wholeImageFlag(flagsOf('--out', 'r.csv'), 'always')).toBe('always');
  });

  it('bare: always, as before it took a value; with a value: that policy; --no-whole-image-fallback: off', () => {
    expect(wholeImageFlag(flagsOf('--whole-image-fallback'))).toBe('always');
    expect(wholeImageFlag(flagsOf('--whole-image-fallback', '--out', 'r.csv'))).toBe('always');
    for (const v of ['face-crops', 'always', 'off'] as const) expect(wholeImageFlag(flagsOf('--whole-image-fallback', v))).toBe(v);
    expect(wholeImageFlag(flagsOf('--no-whole-image-fallback'), 'always')).toBe('off');
  });

  it('a wrong value or both flags: a message naming the choices, exit code 2', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation(((code: number) => {
      throw new Error(`exit ${code}`);
    }) as never);
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(() => wholeImageFlag(flagsOf('--whole-image-fallback', 'auto'))).toThrow('exit 2');
    expect(error).toHaveBeenLastCalledWith('--whole-image-fallback takes "face-crops", "always", "off" (or nothing: "always"), got "auto"');
    expect(() => wholeImageFlag(flagsOf('--whole-image-fallback', 'off', '--no-whole-image-fallback'))).toThrow('exit 2');
    expect(error).toHaveBeenLastCalledWith('--whole-image-fallback and --no-whole-image-fallback contradict each other');
    expect(exit).toHaveBeenCalledTimes(2);
  });
});
