import { describe, expect, it } from '@jest/globals';
import Taro from '@tarojs/taro';
import { newNonce, storedQueue } from './queue';
import { dropScans, putScan, readQueue, writeQueue, STAFF_KEYS, type QueuedScan } from '../packages/staff/store';
import { entryQueue, type QueuedEntry } from '../packages/fitness-test/entryQueue';

const scan = (nonce: string): QueuedScan => ({
  code: 'CS1.x',
  nonce,
  scannedAt: '2026-12-02T01:00:00.000Z',
  deviceId: 'gate-1',
  result: 'admitted',
  ticketId: null,
});
const entry = (nonce: string): QueuedEntry => ({
  nonce,
  stationId: 's1',
  body: { stationId: 's1', bookingId: 'b'.repeat(24), measurements: { gripKg: 30 } },
  label: 'bbbb',
  savedAt: '2026-12-02T01:00:00.000Z',
});

describe('the stored queue (the gate’s offline scans and a station’s offline entries)', () => {
  it('keeps items across reads, replaces by nonce, drops by nonce, removes the key when empty', () => {
    const q = storedQueue<QueuedEntry>('cs.test.queue', (x): x is QueuedEntry => !!x && typeof (x as QueuedEntry).nonce === 'string');
    expect(q.read()).toEqual([]);
    q.put(entry('a'));
    q.put(entry('b'));
    expect(q.put({ ...entry('a'), label: 'again' }).map((e) => [e.nonce, e.label])).toEqual([
      ['b', 'bbbb'],
      ['a', 'again'],
    ]);
    expect(q.drop(['b']).map((e) => e.nonce)).toEqual(['a']);
    q.drop(['a']);
    expect(Taro.getStorageSync('cs.test.queue')).toBe('');
  });

  it('ignores what is not an item (a damaged or foreign value)', () => {
    Taro.setStorageSync('cs.fitness.queue.s1', JSON.stringify([entry('ok'), { nonce: 3 }, null, 'x']));
    expect(
      entryQueue('s1')
        .read()
        .map((e) => e.nonce),
    ).toEqual(['ok']);
    Taro.setStorageSync('cs.fitness.queue.s1', '{not json');
    expect(entryQueue('s1').read()).toEqual([]);
  });

  it('the gate reads and writes its scans through it, per venue', () => {
    writeQueue('v1', [scan('n1'), scan('n2')]);
    expect(readQueue('v1').map((s) => s.nonce)).toEqual(['n1', 'n2']);
    expect(putScan('v1', { ...scan('n1'), result: 'already_used' }).map((s) => [s.nonce, s.result])).toEqual([
      ['n2', 'admitted'],
      ['n1', 'already_used'],
    ]);
    expect(dropScans('v1', new Set(['n2'])).map((s) => s.nonce)).toEqual(['n1']);
    expect(readQueue('v2')).toEqual([]);
    writeQueue('v1', []);
    expect(Taro.getStorageSync(STAFF_KEYS.queue('v1'))).toBe('');
  });

  it('nonces are fresh and fit the Idempotency-Key format', () => {
    const a = newNonce();
    expect(a).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(newNonce()).not.toBe(a);
  });
});
