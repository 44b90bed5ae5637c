/**
 * Which 3D head the live and batch views show: the ICT-FaceKit head fitted to the face, or
 * MediaPipe's landmark mesh. Remembered across visits (a display preference, nothing else).
 */
import { create } from 'zustand';

export type HeadViewKind = 'ict' | 'landmarks';
const KEY = 'ig3d.headView';

function initial(): HeadViewKind {
  try {
    return localStorage.getItem(KEY) === 'landmarks' ? 'landmarks' : 'ict';
  } catch {
    return 'ict';
  }
}

export const useHeadViewStore = create<{ kind: HeadViewKind; setKind: (k: HeadViewKind) => void }>((set) => ({
  kind: initial(),
  setKind: (kind) => {
    try {
      localStorage.setItem(KEY, kind);
    } catch {
      /* private mode: the choice lasts for this page only */
    }
    set({ kind });
  },
}));
