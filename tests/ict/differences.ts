// Deep comparison for the ICT tests' large typed arrays.
/**
 * Paths where two values differ. Typed arrays are compared byte for byte (vitest's deep equality
 * walks them element by element: minutes for the 3 MB identity basis).
 */
export function differences(a: unknown, b: unknown, path = ''): string[] {
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a.constructor !== b.constructor) return [`${path}: not the same array type`];
    const bytes = (v: ArrayBufferView) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    return bytes(a).equals(bytes(b)) ? [] : [`${path}: contents differ`];
  }
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b) ? [] : [`${path}: ${String(a)} ≠ ${String(b)}`];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((k) => differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`));
}
