import { describe, expect, it } from '@jest/globals';
import { fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import Stepper from '.';

function Harness({ limits }: { limits: string[] }) {
  const [n, setN] = useState(1);
  return <Stepper value={n} max={3} unit="人" onChange={setN} onLimit={(w) => limits.push(w)} />;
}

describe('Stepper', () => {
  it('counts within min and max and reports taps past them', () => {
    const limits: string[] = [];
    const { container } = render(<Harness limits={limits} />);
    const plus = screen.getByLabelText('增加');
    const minus = screen.getByLabelText('减少');
    expect(minus.className).toContain('stepper__btn--off');
    fireEvent.click(minus);
    expect(limits).toEqual(['min']);
    fireEvent.click(plus);
    fireEvent.click(plus);
    expect(container.querySelector('.stepper__value')?.textContent).toBe('3人');
    expect(plus.className).toContain('stepper__btn--off');
    fireEvent.click(plus);
    expect(container.querySelector('.stepper__value')?.textContent).toBe('3人');
    expect(limits).toEqual(['min', 'max']);
  });
});
