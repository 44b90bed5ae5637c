/**
 * Node side of the command-line runner's file bundles (src/cli/fileBundle.ts): plans bundles
 * of the input files for one browser launch and serves them at `/__bundle/<launch>/<k>`. The URL
 * names only a bundle number: the files are the ones this process listed under the input root,
 * so a request cannot reach any other file.
 */
import { readFile, stat } from 'node:fs/promises';
import { statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { encodeBundlePrefix, planBundles, type BundleHeaderEntry } from '../../src/cli/fileBundle';
import type { BundleRef } from '../../src/cli/bundleReader';

const ROUTE = /^\/__bundle\/(\d+)\/(\d+)$/;

export class InputBundles {
  private launch = 0;
  private paths: string[][] = [];

  constructor(private readonly root: string) {}

  /** Bundles for these items (a new launch: earlier bundle URLs stop answering). */
  plan(items: readonly { id: number; path: string }[], origin: string): BundleRef[] {
    this.launch++;
    const pathOf = new Map(items.map((it) => [it.id, it.path]));
    const ids = planBundles(items.map((it) => ({ id: it.id, size: sizeOf(join(this.root, it.path)) })));
    this.paths = ids.map((group) => group.map((id) => pathOf.get(id)!));
    return ids.map((group, k) => ({ url: `${origin}/__bundle/${this.launch}/${k}`, ids: group }));
  }

  /** Serves a bundle request; false when the URL is not a bundle's (the static files then answer). */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const m = ROUTE.exec(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    if (!m) return false;
    const paths = Number(m[1]) === this.launch ? this.paths[Number(m[2])] : undefined;
    if (!paths) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('no such bundle');
      return true;
    }
    void this.body(paths).then(
      (parts) => {
        res.writeHead(200, {
          'Content-Type': 'application/octet-stream',
          'Content-Length': parts.reduce((a, p) => a + p.length, 0),
          'Cross-Origin-Resource-Policy': 'same-origin',
          'Cache-Control': 'no-store',
        });
        for (const p of parts) res.write(p);
        res.end();
      },
      (e: Error) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(e.message),
    );
    return true;
  }

  /** The bundle's bytes: prefix, then each readable file. A file that cannot be read says why. */
  private async body(paths: readonly string[]): Promise<Uint8Array[]> {
    const files = await Promise.all(
      paths.map(async (path): Promise<Uint8Array | { error: string }> => {
        try {
          const full = join(this.root, path);
          if (!(await stat(full)).isFile()) return { error: `${path} is not a file` };
          return await readFile(full);
        } catch (e) {
          return { error: `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
        }
      }),
    );
    const header: BundleHeaderEntry[] = files.map((f) => ('error' in f ? { error: f.error } : { size: f.length }));
    return [encodeBundlePrefix(header), ...files.filter((f): f is Uint8Array => !('error' in f))];
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0; // read (and reported) when its bundle is served
  }
}
