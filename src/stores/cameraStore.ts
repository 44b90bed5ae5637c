/** Camera selection and state. Errors are turned into sentences a visitor can act on. */
import { create } from 'zustand';

export type CameraStatus = 'off' | 'starting' | 'on' | 'denied' | 'unavailable' | 'error';

interface CameraState {
  devices: MediaDeviceInfo[];
  deviceId?: string;
  status: CameraStatus;
  message?: string;
  stream?: MediaStream;
  refreshDevices: () => Promise<void>;
  selectDevice: (deviceId: string) => void;
  start: () => Promise<MediaStream | undefined>;
  stop: () => void;
}

export function describeCameraError(e: unknown): { status: CameraStatus; message: string } {
  const name = (e as DOMException)?.name ?? '';
  if (name === 'NotAllowedError' || name === 'SecurityError') {
    return { status: 'denied', message: 'Camera access was denied. Allow the camera in your browser’s site settings and press Start again.' };
  }
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') {
    return { status: 'unavailable', message: 'No camera was found. Connect a camera, or use Batch mode with images.' };
  }
  if (name === 'NotReadableError') {
    return { status: 'error', message: 'The camera is in use by another application or could not be started.' };
  }
  return { status: 'error', message: `The camera could not be started: ${(e as Error)?.message ?? String(e)}` };
}

/**
 * Counts start and stop calls. Stop may be pressed while getUserMedia is still pending (the
 * permission prompt is up, or the device is slow to open): the stream that arrives afterwards
 * belongs to a superseded start and must be closed, not shown, or the camera stays on unasked.
 */
let cameraRequest = 0;

export const useCameraStore = create<CameraState>()((set, get) => ({
  devices: [],
  status: 'off',
  async refreshDevices() {
    if (!navigator.mediaDevices?.enumerateDevices) return;
    const all = await navigator.mediaDevices.enumerateDevices();
    const devices = all.filter((d) => d.kind === 'videoinput');
    set({ devices, deviceId: get().deviceId ?? devices[0]?.deviceId });
  },
  selectDevice(deviceId) {
    set({ deviceId });
  },
  async start() {
    if (!navigator.mediaDevices?.getUserMedia) {
      set({ status: 'unavailable', message: 'This browser cannot use a camera here (it needs a secure https:// or localhost page).' });
      return undefined;
    }
    get().stop();
    const request = ++cameraRequest;
    set({ status: 'starting', message: undefined });
    try {
      const { deviceId } = get();
      const stream = await navigator.mediaDevices.getUserMedia({
        video: { deviceId: deviceId ? { exact: deviceId } : undefined, width: { ideal: 640 }, height: { ideal: 480 } },
        audio: false,
      });
      if (request !== cameraRequest) {
        // Stopped (or started again) while the camera was opening.
        stream.getTracks().forEach((t) => t.stop());
        return undefined;
      }
      set({ stream, status: 'on' });
      // Labels only become readable after permission is granted.
      void get().refreshDevices();
      return stream;
    } catch (e) {
      // A failure of a request the visitor already stopped is no longer theirs to act on.
      if (request !== cameraRequest) return undefined;
      set({ ...describeCameraError(e), stream: undefined });
      return undefined;
    }
  },
  stop() {
    cameraRequest++;
    get().stream?.getTracks().forEach((t) => t.stop());
    set((s) => ({ stream: undefined, status: s.status === 'on' || s.status === 'starting' ? 'off' : s.status }));
  },
}));
