import { useCameraStore } from '../stores/cameraStore';
import { useLiveStore } from '../stores/liveStore';

/**
 * True from pressing Start (the camera opening, maybe while the models still load) until the
 * first live prediction. Start-up work that is not needed for that prediction (the ICT head's
 * 6 MB asset, the offline precache) waits for it to turn false (issue #16).
 */
export function useAwaitingFirstPrediction(): boolean {
  const cameraActive = useCameraStore((s) => s.status === 'on' || s.status === 'starting');
  const noResultYet = useLiveStore((s) => s.frames === 0);
  return cameraActive && noResultYet;
}
