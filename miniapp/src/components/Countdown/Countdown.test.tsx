import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { act, render } from '@testing-library/react';
import Countdown from '.';

describe('Countdown', () => {
  beforeEach(() => {
    jest.useFakeTimers();
    jest.setSystemTime(new Date('2026-12-01T10:00:00Z'));
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('counts down every second and calls onEnd once at zero', () => {
    let ended = 0;
    const { container } = render(<Countdown until="2026-12-01T10:01:05Z" onEnd={() => (ended += 1)} />);
    expect(container.textContent).toBe('01:05');
    act(() => jest.advanceTimersByTime(5_000));
    expect(container.textContent).toBe('01:00');
    act(() => jest.advanceTimersByTime(61_000));
    expect(container.textContent).toBe('00:00');
    act(() => jest.advanceTimersByTime(3_000));
    expect(ended).toBe(1);
  });

  it('shows hours for a release far ahead', () => {
    const { container } = render(<Countdown until={Date.parse('2026-12-01T12:30:00Z')} format="hms" />);
    expect(container.textContent).toBe('02:30:00');
  });
});
