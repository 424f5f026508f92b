import { Text, View } from '@tarojs/components';
import './index.scss';

/** A family member or companion on file (ID number already masked by the server). */
export interface Person {
  id: string;
  name: string;
  /** e.g. 本人, 父亲, 孩子 */
  relation?: string;
  idMasked?: string;
}

interface PersonPickerProps {
  people: Person[];
  selected: string[];
  onChange: (ids: string[]) => void;
  /** how many may be picked (a booking's places, an event group's team size) */
  max: number;
  /** a tap past `max`: the page says why */
  onLimit?: () => void;
  /** 添加家庭成员: where the page opens its add form */
  onAdd?: () => void;
  className?: string;
}

/** Pick people for a booking or registration; a picked row says 已选 and shows a tick. */
export default function PersonPicker({ people, selected, onChange, max, onLimit, onAdd, className }: PersonPickerProps) {
  const toggle = (id: string) => {
    if (selected.includes(id)) onChange(selected.filter((x) => x !== id));
    else if (selected.length >= max) onLimit?.();
    else onChange([...selected, id]);
  };
  return (
    <View className={`person-picker${className ? ` ${className}` : ''}`}>
      <Text className="person-picker__count">
        已选 {selected.length}/{max} 人
      </Text>
      {people.map((p) => {
        const on = selected.includes(p.id);
        return (
          <View
            key={p.id}
            className={`person-picker__item${on ? ' person-picker__item--on' : ''}`}
            data-id={p.id}
            aria-checked={on}
            onClick={() => toggle(p.id)}
          >
            <View className="person-picker__check">{on ? '✓' : ''}</View>
            <View className="person-picker__main">
              <Text className="person-picker__name">
                {p.name}
                {p.relation ? <Text className="person-picker__relation">（{p.relation}）</Text> : null}
              </Text>
              {p.idMasked ? <Text className="person-picker__id">{p.idMasked}</Text> : null}
            </View>
            <Text className="person-picker__state">{on ? '已选' : '选择'}</Text>
          </View>
        );
      })}
      {onAdd ? (
        <View className="person-picker__add" onClick={onAdd}>
          ＋ 添加家庭成员
        </View>
      ) : null}
    </View>
  );
}
