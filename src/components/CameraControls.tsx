import { useCameraStore } from '../stores/cameraStore';
import { useShallow } from 'zustand/react/shallow';

interface Props {
  onStart: () => void;
  onStop: () => void;
  canStart: boolean;
}

export function CameraControls({ onStart, onStop, canStart }: Props) {
  const { devices, deviceId, status, selectDevice } = useCameraStore(useShallow((s) => ({ devices: s.devices, deviceId: s.deviceId, status: s.status, selectDevice: s.selectDevice })));
  const running = status === 'on' || status === 'starting';
  return (
    <div className="camera-controls">
      <select aria-label="camera" value={deviceId ?? ''} onChange={(e) => selectDevice(e.target.value)} disabled={running}>
        {devices.length === 0 && <option value="">Default camera</option>}
        {devices.map((d, i) => (
          <option key={d.deviceId || i} value={d.deviceId}>
            {d.label || `Camera ${i + 1}`}
          </option>
        ))}
      </select>
      {running ? (
        <button onClick={onStop}>Stop</button>
      ) : (
        <button onClick={onStart} disabled={!canStart}>
          Start camera
        </button>
      )}
    </div>
  );
}
