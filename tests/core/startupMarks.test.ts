import { afterEach, describe, expect, it, vi } from 'vitest';
import { STARTUP_MARK_PREFIX, startupMark } from '../../src/core/startupMarks';

describe('startupMark', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    performance.clearMarks();
  });

  it('records a user-timing mark under the ig3d: prefix', () => {
    startupMark('worker:init');
    const marks = performance.getEntriesByType('mark').map((m) => m.name);
    expect(marks).toContain(`${STARTUP_MARK_PREFIX}worker:init`);
  });

  it('never throws, even when the mark cannot be recorded', () => {
    vi.spyOn(performance, 'mark').mockImplementation(() => {
      throw new Error('buffer full');
    });
    expect(() => startupMark('page:main')).not.toThrow();
  });
});
