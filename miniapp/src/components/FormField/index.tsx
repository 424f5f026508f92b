import type { PropsWithChildren } from 'react';
import { Text, View } from '@tarojs/components';
import './index.scss';

interface FormFieldProps {
  label: string;
  /** what is wrong, shown under the input in words (with a mark, not only a red border) */
  error?: string | null;
  hint?: string;
  required?: boolean;
  className?: string;
  /** the page's class for the error line (the e2e tests look for some) */
  errorClassName?: string;
}

/** A labelled input with its hint and its error. */
export default function FormField({
  label,
  error,
  hint,
  required,
  className,
  errorClassName,
  children,
}: PropsWithChildren<FormFieldProps>) {
  return (
    <View className={`form-field${error ? ' form-field--error' : ''}${className ? ` ${className}` : ''}`}>
      <Text className="form-field__label">
        {label}
        {required ? <Text className="form-field__required">（必填）</Text> : null}
      </Text>
      <View className="form-field__control">{children}</View>
      {hint && !error ? <Text className="form-field__hint">{hint}</Text> : null}
      {error ? <Text className={`form-field__error${errorClassName ? ` ${errorClassName}` : ''}`}>⚠ {error}</Text> : null}
    </View>
  );
}
