/** Stand-ins for the NutUI parts our components use (NutUI's real build touches canvas on import). */
import { createElement, type ReactNode } from 'react';

interface ButtonProps {
  children?: ReactNode;
  className?: string;
  disabled?: boolean;
  loading?: boolean;
  onClick?: () => void;
}

export function Button({ children, className, disabled, loading, onClick }: ButtonProps) {
  return createElement('button', { className, disabled: disabled || loading, onClick, type: 'button' }, children);
}

export function Switch({ checked, onChange, className }: { checked?: boolean; onChange?: (v: boolean) => void; className?: string }) {
  return createElement('input', { type: 'checkbox', role: 'switch', className, checked: !!checked, onChange: () => onChange?.(!checked) });
}
