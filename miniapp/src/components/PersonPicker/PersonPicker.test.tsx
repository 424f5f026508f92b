import { describe, expect, it } from '@jest/globals';
import { fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import PersonPicker, { type Person } from '.';

const PEOPLE: Person[] = [
  { id: 'p1', name: '王芳', relation: '本人', idMasked: '1101**********1234' },
  { id: 'p2', name: '王建国', relation: '父亲' },
  { id: 'p3', name: '王小明', relation: '孩子' },
];

function Harness({ limits }: { limits: number[] }) {
  const [ids, setIds] = useState<string[]>([]);
  return <PersonPicker people={PEOPLE} selected={ids} max={2} onChange={setIds} onLimit={() => limits.push(1)} />;
}

describe('PersonPicker', () => {
  it('picks up to max people, says 已选 on each, and reports one more', () => {
    const limits: number[] = [];
    const { container } = render(<Harness limits={limits} />);
    fireEvent.click(screen.getByText('王芳'));
    fireEvent.click(screen.getByText('王建国'));
    fireEvent.click(screen.getByText('王小明'));
    expect(limits).toHaveLength(1);
    expect(container.querySelector('.person-picker__count')?.textContent).toBe('已选 2/2 人');
    const on = [...container.querySelectorAll('.person-picker__item--on')].map((el) => el.getAttribute('data-id'));
    expect(on).toEqual(['p1', 'p2']);
    expect(container.querySelector('[data-id="p1"] .person-picker__state')?.textContent).toBe('已选');
    fireEvent.click(screen.getByText('王芳'));
    expect(container.querySelector('.person-picker__count')?.textContent).toBe('已选 1/2 人');
  });
});
