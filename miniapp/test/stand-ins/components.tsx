/**
 * Small stand-ins for @tarojs/components in component tests (TOOLCHAIN.md): plain DOM elements with
 * Taro's event shapes (`onInput` hands `{detail: {value}}`), so tests read and tap what users see.
 */
import { createElement, type ReactNode } from 'react';

type Props = Record<string, unknown> & { children?: ReactNode; className?: string };

/** drop Taro-only props React would warn about on a DOM element */
const TARO_ONLY = [
  'catchMove',
  'scrollX',
  'scrollY',
  'enhanced',
  'showScrollbar',
  'scrollIntoView',
  'scrollLeft',
  'maxlength',
  'hoverClass',
];

function domProps(props: Props): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props)) if (!TARO_ONLY.includes(k)) out[k] = v;
  return out;
}

const box = (tag: string) =>
  function StandIn(props: Props) {
    return createElement(tag, domProps(props), props.children);
  };

export const View = box('div');
export const Text = box('span');
export const ScrollView = box('div');
export const Image = box('img');

function field(tag: 'input' | 'textarea') {
  return function StandInField(props: Props & { value?: string; onInput?: (e: { detail: { value: string } }) => void }) {
    const { onInput, value, ...rest } = props;
    return createElement(tag, {
      ...domProps(rest),
      value: value ?? '',
      onChange: (e: { target: { value: string } }) => onInput?.({ detail: { value: e.target.value } }),
    });
  };
}

export const Input = field('input');
export const Textarea = field('textarea');
