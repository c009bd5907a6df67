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
    assert.deepEqual(windows.add('k', at(4), tenMinutes, 'b'), ['a', 'b', 'c']);
    assert.deepEqual(windows.add('other', at(5), tenMinutes, 'x'), ['x'], 'keys apart');
    // Ten minutes after the first, it has left the window.
    assert.deepEqual(windows.add('k', at(10), tenMinutes, 'd'), ['b', 'c', 'd']);
  });

  it('forgets keys nothing was added to for the kept time', () => {
    const windows = createSlidingWindows();
    windows.add('old', at(0), tenMinutes, 'a');
    windows.add('new', at(30), tenMinutes, 'b');
    windows.prune(at(40), tenMinutes * 2);
    assert.equal(windows.size, 1);
    assert.deepEqual(windows.add('old', at(41), tenMinutes, 'c'), ['c']);
  });
});
