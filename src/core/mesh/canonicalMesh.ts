/**
 * MediaPipe's canonical face mesh, read from face_landmarker.task: the triangles that connect
 * the 468 face landmarks (for drawing the mesh) and the canonical vertex positions (the
 * reference frame for head pose / canonical-space features).
 *
 * Source: `geometry_pipeline_metadata_landmarks.binarypb` in the task zip, a
 * mediapipe.face_geometry.GeometryPipelineMetadata proto:
 *   GeometryPipelineMetadata { Mesh3d canonical_mesh = 1; repeated WeightedLandmarkRef procrustes_landmark_basis = 2; InputSource input_source = 3; }
 *   Mesh3d { VertexType vertex_type = 1; PrimitiveType primitive_type = 2; repeated float vertex_buffer = 3; repeated uint32 index_buffer = 4; }
 *   WeightedLandmarkRef { uint32 landmark_id = 1; float weight = 2; }
 * vertex_type VERTEX_PT (0) = 5 floats per vertex: x, y, z (cm), u, v.
 */
import { unzipSync } from 'fflate';
import { ProtoReader, WireType, readRepeatedFloat, readRepeatedVarint } from './protobuf';

export const GEOMETRY_METADATA_FILE = 'geometry_pipeline_metadata_landmarks.binarypb';
export const CANONICAL_VERTEX_COUNT = 468;
const FLOATS_PER_VERTEX_PT = 5;

export interface CanonicalMesh {
  /** Vertex positions, flat [x0,y0,z0,...] in cm, canonical face frame. */
  positions: Float32Array;
  /** Texture coordinates, flat [u0,v0,...]. */
  uvs: Float32Array;
  /** Triangle vertex indices, 3 per triangle, each < vertexCount. */
  triangles: Uint32Array;
  vertexCount: number;
  /** Landmarks (and weights) MediaPipe uses for its Procrustes pose fit. */
  procrustes: { landmark: number; weight: number }[];
}

function parseMesh3d(r: ProtoReader): { vertexType: number; primitiveType: number; vertices: number[]; indices: number[] } {
  const vertices: number[] = [];
  const indices: number[] = [];
  let vertexType = 0;
  let primitiveType = 0;
  while (!r.done) {
    const f = r.next();
    if (f.field === 1 && f.wireType === WireType.VARINT) vertexType = f.value;
    else if (f.field === 2 && f.wireType === WireType.VARINT) primitiveType = f.value;
    else if (f.field === 3) readRepeatedFloat(r, f, vertices);
    else if (f.field === 4) readRepeatedVarint(r, f, indices);
    // Unknown fields are skipped (forward compatibility), as protobuf does.
  }
  return { vertexType, primitiveType, vertices, indices };
}

/** Parse GeometryPipelineMetadata bytes into a validated canonical mesh. */
export function parseGeometryPipelineMetadata(bytes: Uint8Array): CanonicalMesh {
  const r = new ProtoReader(bytes);
  let mesh: ReturnType<typeof parseMesh3d> | undefined;
  const procrustes: { landmark: number; weight: number }[] = [];
  while (!r.done) {
    const f = r.next();
    if (f.field === 1 && f.wireType === WireType.LEN) mesh = parseMesh3d(r.sub(f));
    else if (f.field === 2 && f.wireType === WireType.LEN) {
      const s = r.sub(f);
      const ref = { landmark: 0, weight: 0 };
      while (!s.done) {
        const g = s.next();
        if (g.field === 1 && g.wireType === WireType.VARINT) ref.landmark = g.value;
        else if (g.field === 2 && g.wireType === WireType.FIXED32) ref.weight = s.float32At(g.offset);
      }
      procrustes.push(ref);
    }
  }
  if (!mesh) throw new Error('geometry metadata: no canonical_mesh (field 1)');
  if (mesh.vertexType !== 0) throw new Error(`geometry metadata: unsupported vertex_type ${mesh.vertexType}, expected VERTEX_PT (0)`);
  if (mesh.primitiveType !== 0) throw new Error(`geometry metadata: unsupported primitive_type ${mesh.primitiveType}, expected TRIANGLE (0)`);
  if (mesh.vertices.length === 0 || mesh.vertices.length % FLOATS_PER_VERTEX_PT !== 0) {
    throw new Error(`geometry metadata: vertex_buffer has ${mesh.vertices.length} floats, not a multiple of ${FLOATS_PER_VERTEX_PT}`);
  }
  if (mesh.indices.length === 0 || mesh.indices.length % 3 !== 0) {
    throw new Error(`geometry metadata: index_buffer has ${mesh.indices.length} entries, not a multiple of 3`);
  }
  const vertexCount = mesh.vertices.length / FLOATS_PER_VERTEX_PT;
  const positions = new Float32Array(vertexCount * 3);
  const uvs = new Float32Array(vertexCount * 2);
  for (let i = 0; i < vertexCount; i++) {
    const v = i * FLOATS_PER_VERTEX_PT;
    positions.set(mesh.vertices.slice(v, v + 3), i * 3);
    uvs.set(mesh.vertices.slice(v + 3, v + 5), i * 2);
  }
  const triangles = Uint32Array.from(mesh.indices);
  for (let i = 0; i < triangles.length; i++) {
    if (triangles[i] >= vertexCount) throw new Error(`geometry metadata: index ${triangles[i]} >= vertex count ${vertexCount}`);
  }
  for (const p of procrustes) {
    if (p.landmark >= vertexCount) throw new Error(`geometry metadata: procrustes landmark ${p.landmark} >= vertex count ${vertexCount}`);
  }
  return { positions, uvs, triangles, vertexCount, procrustes };
}

/** Extract the canonical mesh from face_landmarker.task bytes (a zip; only the metadata entry is inflated). */
export function canonicalMeshFromTask(taskBytes: Uint8Array): CanonicalMesh {
  let files: Record<string, Uint8Array>;
  try {
    // Also accept the file nested in a sub-task zip, as older bundles did.
    files = unzipSync(taskBytes, { filter: (f) => f.name.endsWith(GEOMETRY_METADATA_FILE) || f.name.endsWith('.task') });
  } catch (e) {
    throw new Error(`face_landmarker.task is not a valid zip: ${(e as Error).message}`, { cause: e });
  }
  const direct = Object.keys(files).find((n) => n.endsWith(GEOMETRY_METADATA_FILE));
  if (direct) return parseGeometryPipelineMetadata(files[direct]);
  for (const [name, bytes] of Object.entries(files)) {
    if (name.endsWith('.task')) {
      try {
        return canonicalMeshFromTask(bytes);
      } catch {
        // Try the next nested task.
      }
    }
  }
  throw new Error(`face_landmarker.task has no ${GEOMETRY_METADATA_FILE}`);
}
