import { describe, expect, it } from '@jest/globals';
import { render } from '@testing-library/react';
import { ManageReasonSchema, RefundOrderSchema } from '@citysport/shared';
import FormField from '.';
import { fieldError } from './validate';

describe('fieldError (the shared request schema, in Chinese)', () => {
  it('says what ManageReasonSchema refuses', () => {
    expect(fieldError(ManageReasonSchema, { reason: ' 雨 ' }, 'reason', '原因')).toBe('请填写原因（至少2个字）');
    expect(fieldError(ManageReasonSchema, { reason: '雨'.repeat(201) }, 'reason', '原因')).toBe('原因最多200个字');
    expect(fieldError(ManageReasonSchema, { reason: '场地维修' }, 'reason', '原因')).toBeNull();
  });

  it('follows RefundOrderSchema’s own limits', () => {
    expect(fieldError(RefundOrderSchema, { reason: '' }, 'reason', '退款原因')).toBe('请填写退款原因（至少2个字）');
    expect(fieldError(RefundOrderSchema, { reason: '因'.repeat(81) }, 'reason', '退款原因')).toBe('退款原因最多80个字');
    expect(fieldError(RefundOrderSchema, { reason: '行程有变' }, 'reason', '退款原因')).toBeNull();
  });
});

describe('FormField', () => {
  it('shows the error in words in place of the hint', () => {
    const { container, rerender } = render(
      <FormField label="原因" hint="2–200个字">
        <input />
      </FormField>,
    );
    expect(container.querySelector('.form-field__hint')?.textContent).toBe('2–200个字');
    rerender(
      <FormField label="原因" hint="2–200个字" error="请填写原因（至少2个字）" errorClassName="manage-reason-error">
        <input />
      </FormField>,
    );
    expect(container.querySelector('.form-field__hint')).toBeNull();
    expect(container.querySelector('.manage-reason-error')?.textContent).toContain('请填写原因（至少2个字）');
    expect(container.querySelector('.form-field--error')).not.toBeNull();
  });
});
