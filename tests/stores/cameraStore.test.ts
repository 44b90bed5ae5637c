// The camera store when Stop (or a second Start) arrives while getUserMedia is still pending:
// the stream that opens afterwards must be closed at once, never shown. CI caught the live view
// running frames after Stop had been pressed during the camera's opening.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useCameraStore } from '../../src/stores/cameraStore';

interface FakeTrack {
  stopped: boolean;
  stop: () => void;
}

function fakeStream(): MediaStream & { track: FakeTrack } {
  const track: FakeTrack = { stopped: false, stop: () => (track.stopped = true) };
  return { track, getTracks: () => [track] } as unknown as MediaStream & { track: FakeTrack };
}

/** getUserMedia calls that resolve or reject only when the test says so. */
function heldGetUserMedia() {
  const pending: { resolve: (s: MediaStream) => void; reject: (e: unknown) => void }[] = [];
  const getUserMedia = vi.fn(() => new Promise<MediaStream>((resolve, reject) => pending.push({ resolve, reject })));
  vi.stubGlobal('navigator', { mediaDevices: { getUserMedia, enumerateDevices: async () => [] } });
  return pending;
}

beforeEach(() => {
  useCameraStore.setState({ status: 'off', stream: undefined, message: undefined, deviceId: undefined, devices: [] });
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('camera store', () => {
  it('opens the camera when nothing intervenes', async () => {
    const pending = heldGetUserMedia();
    const started = useCameraStore.getState().start();
    expect(useCameraStore.getState().status).toBe('starting');
    const stream = fakeStream();
    pending[0].resolve(stream);
    expect(await started).toBe(stream);
    expect(useCameraStore.getState()).toMatchObject({ status: 'on', stream });
    expect(stream.track.stopped).toBe(false);
  });

  it('Stop while the camera opens: the late stream is closed and the camera stays off', async () => {
    const pending = heldGetUserMedia();
    const started = useCameraStore.getState().start();
    useCameraStore.getState().stop();
    expect(useCameraStore.getState().status).toBe('off');
    const late = fakeStream();
    pending[0].resolve(late);
    expect(await started).toBeUndefined();
    expect(late.track.stopped).toBe(true);
    expect(useCameraStore.getState()).toMatchObject({ status: 'off', stream: undefined });
  });

  it('a second Start while the first opens: only the second stream is kept', async () => {
    const pending = heldGetUserMedia();
    const first = useCameraStore.getState().start();
    const second = useCameraStore.getState().start();
    const a = fakeStream();
    const b = fakeStream();
    pending[1].resolve(b);
    pending[0].resolve(a);
    expect(await first).toBeUndefined();
    expect(await second).toBe(b);
    expect(a.track.stopped).toBe(true);
    expect(b.track.stopped).toBe(false);
    expect(useCameraStore.getState()).toMatchObject({ status: 'on', stream: b });
  });

  it('a refusal that arrives after Stop leaves no error behind', async () => {
    const pending = heldGetUserMedia();
    const started = useCameraStore.getState().start();
    useCameraStore.getState().stop();
    pending[0].reject(new DOMException('Permission denied', 'NotAllowedError'));
    expect(await started).toBeUndefined();
    expect(useCameraStore.getState()).toMatchObject({ status: 'off', message: undefined });
  });

  it('a refusal of the current request is explained', async () => {
    const pending = heldGetUserMedia();
    const started = useCameraStore.getState().start();
    pending[0].reject(new DOMException('Permission denied', 'NotAllowedError'));
    expect(await started).toBeUndefined();
    expect(useCameraStore.getState().status).toBe('denied');
    expect(useCameraStore.getState().message).toMatch(/denied/);
  });
});
