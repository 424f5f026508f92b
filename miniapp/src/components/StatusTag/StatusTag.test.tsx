import { describe, expect, it } from '@jest/globals';
import { render } from '@testing-library/react';
import { BOOKING_STATUS_LABELS_ZH, BookingStatusSchema } from '@citysport/shared';
import StatusTag from '.';
import { BOOKING_TONE } from './tones';

describe('StatusTag', () => {
  it('shows every booking status in words with a mark, not by colour alone', () => {
    for (const status of BookingStatusSchema.options) {
      const { container, unmount } = render(
        <StatusTag text={BOOKING_STATUS_LABELS_ZH[status]} tone={BOOKING_TONE[status]} className={`booking-status--${status}`} />,
      );
      const tag = container.querySelector(`.booking-status--${status}`);
      expect(tag?.textContent).toContain(BOOKING_STATUS_LABELS_ZH[status]);
      expect(tag?.querySelector('.status-tag__mark')?.textContent).not.toBe('');
      unmount();
    }
  });
});
