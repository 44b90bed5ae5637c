/**
 * The command-line runner's file bundles: the format (src/cli/fileBundle.ts), the page's reader
 * (src/cli/bundleReader.ts) and the Node side that serves them (scripts/cli/inputBundles.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUNDLE_LIMITS, bundleHeaderLength, bundleLayout, encodeBundlePrefix, planBundles, type BundleHeaderEntry } from '../../src/cli/fileBundle';
import { BundleReader, type BundleRef } from '../../src/cli/bundleReader';
import { InputBundles } from '../../scripts/cli/inputBundles';
import { startStaticServer } from '../../scripts/cli/staticServer';

/** A whole bundle as the Node side writes it. */
function bundle(files: (Uint8Array | { error: string })[]): Uint8Array {
  const header: BundleHeaderEntry[] = files.map((f) => ('error' in f ? { error: f.error } : { size: f.length }));
  const parts = [encodeBundlePrefix(header), ...files.filter((f): f is Uint8Array => !('error' in f))];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function layoutOf(bytes: Uint8Array, expected?: number) {
  const n = bundleHeaderLength(bytes.subarray(0, 4), bytes.length);
  return bundleLayout(new TextDecoder().decode(bytes.subarray(4, 4 + n)), n, bytes.length, expected);
}

/** A fetch that serves fixed bundles by URL and counts its calls. */
function fakeFetch(byUrl: Record<string, Uint8Array>) {
  const calls: string[] = [];
  const fn = (async (input: RequestInfo | URL) => {
    const url = String(input);
    calls.push(url);
    const body = byUrl[url];
    return body ? new Response(body as Uint8Array<ArrayBuffer>) : new Response('no', { status: 404 });
  }) as typeof fetch;
  return { fn, calls };
}

const text = async (b: Blob) => new TextDecoder().decode(new Uint8Array(await b.arrayBuffer()));
const enc = (s: string) => new TextEncoder().encode(s);

describe('file bundle format', () => {
  it('round-trips any files, empty ones and unreadable ones included', () => {
    const file = fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.record({ error: fc.string() }));
    fc.assert(
      fc.property(fc.array(file, { maxLength: 12 }), (files) => {
        const bytes = bundle(files);
        const entries = layoutOf(bytes, files.length);
        entries.forEach((e, i) => {
          const f = files[i];
          if ('error' in f) expect(e).toEqual({ error: f.error });
          else if ('error' in e) throw new Error('lost a file');
          else expect(bytes.subarray(e.offset, e.offset + e.size)).toEqual(f);
        });
      }),
    );
  });

  it('refuses a hostile or damaged bundle with a message that says what is wrong', () => {
    const good = bundle([enc('ab'), enc('cde')]);
    expect(() => layoutOf(good.subarray(0, 3))).toThrow(/too short for a header/);
    expect(() => layoutOf(good.subarray(0, good.length - 1))).toThrow(/add up to \d+ bytes, the bundle has/);
    expect(() => layoutOf(good, 3)).toThrow(/2 files, expected 3/);
    const huge = good.slice();
    new DataView(huge.buffer).setUint32(0, 0xffffffff, true);
    expect(() => layoutOf(huge)).toThrow(/does not fit/);
    const raw = (header: string) => {
      const h = enc(header);
      const out = new Uint8Array(4 + h.length);
      new DataView(out.buffer).setUint32(0, h.length, true);
      out.set(h, 4);
      return out;
    };
    expect(() => layoutOf(raw('{nope'))).toThrow(/not JSON/);
    expect(() => layoutOf(raw('{"version":2,"files":[]}'))).toThrow(/version 2/);
    expect(() => layoutOf(raw('{"version":1}'))).toThrow(/no files list/);
    expect(() => layoutOf(raw('{"version":1,"files":[{"size":-1}]}'))).toThrow(/file 0 has neither/);
    expect(() => layoutOf(raw('{"version":1,"files":[{"size":1.5}]}'))).toThrow(/file 0 has neither/);
    expect(() => layoutOf(raw('{"version":1,"files":[null]}'))).toThrow(/file 0 has neither/);
  });

  it('plans bundles of consecutive items within the file and byte limits; a large file goes alone', () => {
    const limits = { files: 3, bytes: 100 };
    const items = [10, 10, 10, 10, 60, 50, 500, 1].map((size, id) => ({ id, size }));
    expect(planBundles(items, limits)).toEqual([[0, 1, 2], [3, 4], [5], [6], [7]]);
    expect(planBundles([], limits)).toEqual([]);
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 10 * 2 ** 20 }), { maxLength: 200 }), (sizes) => {
        const groups = planBundles(sizes.map((size, id) => ({ id, size })));
        expect(groups.flat()).toEqual(sizes.map((_, id) => id));
        for (const g of groups) {
          expect(g.length).toBeLessThanOrEqual(BUNDLE_LIMITS.files);
          if (g.length > 1) expect(g.reduce((a, id) => a + sizes[id], 0)).toBeLessThanOrEqual(BUNDLE_LIMITS.bytes);
        }
      }),
    );
  });
});

describe('BundleReader (page side)', () => {
  const refs: BundleRef[] = [
    { url: 'http://h/b/0', ids: [0, 1, 2] },
    { url: 'http://h/b/1', ids: [3, 4] },
  ];
  const bodies = { 'http://h/b/0': bundle([enc('zero'), { error: 'cannot read one.png: EACCES' }, enc('two')]), 'http://h/b/1': bundle([enc('three'), enc('four')]) };

  it('fetches each bundle once, hands out every file, and drops a bundle once all its files are taken', async () => {
    const { fn, calls } = fakeFetch(bodies);
    const r = new BundleReader(refs, fn);
    expect(await text(await r.file(0))).toBe('zero');
    expect(r.held).toBe(1);
    await expect(r.file(1)).rejects.toThrow('cannot read one.png: EACCES');
    const [two, three] = await Promise.all([r.file(2), r.file(3)]);
    expect([await text(two), await text(three)]).toEqual(['two', 'three']);
    expect(r.held).toBe(1); // bundle 0 done, bundle 1 still has item 4
    expect(await text(await r.file(4))).toBe('four');
    expect(r.held).toBe(0);
    expect(calls).toEqual(['http://h/b/0', 'http://h/b/1']);
  });

  it('a file asked for again (a redone row) refetches its bundle, and only keeps it for that file', async () => {
    const { fn, calls } = fakeFetch(bodies);
    const r = new BundleReader(refs, fn);
    for (const id of [0, 2]) await r.file(id);
    await r.file(1).catch(() => undefined);
    expect(await text(await r.file(2))).toBe('two');
    expect(r.held).toBe(0);
    expect(calls).toEqual(['http://h/b/0', 'http://h/b/0']);
  });

  it('a failed fetch fails the files waiting on it with the reason, and the next file tries again', async () => {
    let fail = true;
    const { fn } = fakeFetch(bodies);
    const flaky = (async (u: RequestInfo | URL) => (fail ? new Response('down', { status: 503 }) : fn(u))) as typeof fetch;
    const r = new BundleReader(refs, flaky);
    await expect(Promise.all([r.file(3), r.file(4)])).rejects.toThrow('could not fetch the input files (HTTP 503)');
    fail = false;
    expect(await text(await r.file(4))).toBe('four');
    await expect(r.file(99)).rejects.toThrow('item 99 is in no file bundle');
  });
});

describe('InputBundles (Node side) with the reader, over HTTP', () => {
  it('serves the planned files, says which could not be read, and answers nothing outside its plan', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ig3d-bundles-'));
    try {
      mkdirSync(join(root, 'sub'));
      const names = ['a.png', 'sub/b.png', 'gone.png', 'sub'];
      writeFileSync(join(root, 'a.png'), 'AAA');
      writeFileSync(join(root, 'sub/b.png'), 'BB');
      writeFileSync(join(root, 'gone.png'), 'G');
      const bundles = new InputBundles(root);
      const { server, origin } = await startStaticServer({ '/': join(root, 'sub') }, { handle: (q, r) => bundles.handle(q, r) });
      try {
        const items = names.map((path, id) => ({ id, path }));
        const refs = bundles.plan(items, origin);
        expect(refs.map((b) => b.ids)).toEqual([[0, 1, 2, 3]]);
        rmSync(join(root, 'gone.png')); // deleted after the plan, before the read
        const reader = new BundleReader(refs);
        expect(await text(await reader.file(0))).toBe('AAA');
        expect(await text(await reader.file(1))).toBe('BB');
        await expect(reader.file(2)).rejects.toThrow('cannot read gone.png: ENOENT');
        await expect(reader.file(3)).rejects.toThrow('sub is not a file');
        // Only bundle numbers of the current launch answer; a new plan retires the old URLs.
        expect((await fetch(`${origin}/__bundle/1/7`)).status).toBe(404);
        bundles.plan(items.slice(0, 1), origin);
        expect((await fetch(refs[0].url)).status).toBe(404);
        expect((await fetch(`${origin}/__bundle/2/0.png`)).status).toBe(404); // not a bundle URL: the static files answer
      } finally {
        server.close();
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
