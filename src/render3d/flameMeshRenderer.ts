/**
 * three.js view of the decoded FLAME head (5023 vertices for FLAME 2020). FLAME is already
 * y up, looking along +z like three.js, so we only centre it and scale it to unit radius.
 */
import { MeshView } from './meshView';

export class FlameMeshRenderer extends MeshView {
  constructor(canvas: HTMLCanvasElement) {
    super(canvas, 0xc9c2d8);
  }

  /**
   * @param vertices flat x,y,z in FLAME units (metres)
   * @param mirror mirror horizontally to match the selfie preview
   */
  update(vertices: Float32Array, mirror = true): void {
    const n = Math.floor(vertices.length / 3);
    const positions = this.positionBuffer(n);
    let cx = 0, cy = 0, cz = 0;
    for (let i = 0; i < n; i++) {
      cx += vertices[3 * i];
      cy += vertices[3 * i + 1];
      cz += vertices[3 * i + 2];
    }
    cx /= n; cy /= n; cz /= n;
    let r2 = 1e-12;
    for (let i = 0; i < n; i++) {
      const x = vertices[3 * i] - cx, y = vertices[3 * i + 1] - cy, z = vertices[3 * i + 2] - cz;
      r2 = Math.max(r2, x * x + y * y + z * z);
    }
    const s = 1 / Math.sqrt(r2);
    const mx = mirror ? -1 : 1;
    for (let i = 0; i < n; i++) {
      positions[3 * i] = mx * (vertices[3 * i] - cx) * s;
      positions[3 * i + 1] = (vertices[3 * i + 1] - cy) * s;
      positions[3 * i + 2] = (vertices[3 * i + 2] - cz) * s;
    }
    this.commit();
  }
}
