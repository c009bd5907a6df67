import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSlidingWindows } from './windows.ts';

const at = (minute: number) => new Date(Date.UTC(2026, 2, 2, 9, minute));
const tenMinutes = 10 * 60_000;

describe('sliding windows', () => {
  it('answers the events of a key within the window, oldest first, whatever order they came in', () => {
    const windows = createSlidingWindows();
    windows.add('k', at(0), tenMinutes, 'a');
    windows.add('k', at(5), tenMinutes, 'c');
    assert.deepEqual(windows.add('k', at(4), tenMinutes, 'b').ids, ['a', 'b', 'c']);
    assert.deepEqual(windows.add('other', at(5), tenMinutes, 'x').ids, ['x'], 'keys apart');
    // Ten minutes after the first, it has left the window.
    assert.deepEqual(windows.add('k', at(10), tenMinutes, 'd').ids, ['b', 'c', 'd']);
  });

  it('forgets keys nothing was added to for the kept time', () => {
    const windows = createSlidingWindows();
    windows.add('old', at(0), tenMinutes, 'a');
    windows.add('new', at(30), tenMinutes, 'b');
    windows.prune(at(40), tenMinutes * 2);
    assert.equal(windows.size, 1);
    assert.deepEqual(windows.add('old', at(41), tenMinutes, 'c').ids, ['c']);
  });

  it('keeps at most the newest `limit` events of a key, and says when it was already full', () => {
    const windows = createSlidingWindows();
    const seconds = (s: number) => new Date(at(0).getTime() + s * 1000);
    for (let i = 0; i < 4; i++) {
      const { full } = windows.add('hot', seconds(i), tenMinutes, `e${i}`, 5);
      assert.equal(full, false);
    }
    assert.deepEqual(windows.add('hot', seconds(4), tenMinutes, 'e4', 5), {
      ids: ['e0', 'e1', 'e2', 'e3', 'e4'],
      full: false,
    });
    for (let i = 5; i < 10_000; i++) windows.add('hot', seconds(i / 100), tenMinutes, `e${i}`, 5);
    assert.deepEqual(windows.add('hot', seconds(100), tenMinutes, 'last', 5), {
      ids: ['e9996', 'e9997', 'e9998', 'e9999', 'last'],
      full: true,
    });
  });
});
