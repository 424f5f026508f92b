import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Input, Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import {
  DIFFICULTIES,
  DIFFICULTY_LABELS_ZH,
  DISTRICTS,
  GUIDANCE_SPORTS,
  GUIDANCE_SPORT_LABELS_ZH,
  shanghaiTime,
  type GuidanceSport,
} from '@citysport/shared';
import Screen from '../../components/Screen';
import { notify } from '../../stores/elder';
import { addDays, todayShanghai } from '../../utils/time';
import { guidanceApi } from '../../api/guidance';
import { currentFix } from '../../utils/location';
import '../../styles/guidance.scss';

/** Publish a session (optionally weekly for some weeks); the place's coordinates come from the instructor's position there. */
export default function PublishSessionPage() {
  const params = Taro.getCurrentInstance().router?.params ?? {};
  const [title, setTitle] = useState('');
  const [sport, setSport] = useState<GuidanceSport>('taichi');
  const [district, setDistrict] = useState<(typeof DISTRICTS)[number]>(DISTRICTS[0]);
  const [placeName, setPlaceName] = useState('');
  const [address, setAddress] = useState('');
  const [loc, setLoc] = useState<{ lat: number; lng: number } | null>(null);
  const [day, setDay] = useState(addDays(todayShanghai(), 1));
  const [time, setTime] = useState('07:00');
  const [minutes, setMinutes] = useState('60');
  const [capacity, setCapacity] = useState('30');
  const [difficulty, setDifficulty] = useState<(typeof DIFFICULTIES)[number]>('easy');
  const [bring, setBring] = useState('');
  const [weeks, setWeeks] = useState('0');
  const pick = async () => {
    const chosen = await Taro.chooseLocation({}).catch(() => null);
    if (chosen) {
      setLoc({ lat: chosen.latitude, lng: chosen.longitude });
      if (!placeName) setPlaceName(chosen.name);
      if (!address) setAddress(chosen.address);
      return;
    }
    const fix = await currentFix(params);
    if (fix) setLoc({ lat: fix.lat, lng: fix.lng });
    else notify('无法获取位置，请允许定位后重试', 2500);
  };
  const submit = async () => {
    if (!loc) return;
    const startAt = shanghaiTime(day, time);
    try {
      await guidanceApi.publish({
        title: title.trim(),
        sport,
        district,
        place: { name: placeName.trim(), address: address.trim(), location: loc },
        startAt: startAt.toISOString(),
        endAt: new Date(startAt.getTime() + Number(minutes) * 60_000).toISOString(),
        capacity: Number(capacity),
        difficulty,
        bring: bring.trim() || undefined,
        repeatWeeks: Number(weeks) || undefined,
      });
      notify('已发布', 2000);
      void Taro.navigateBack();
    } catch {
      /* the client showed the message */
    }
  };
  return (
    <Screen className="instructor-publish-page">
      <View className="gd-section">
        <Input className="gd-input" placeholder="活动名称" value={title} onInput={(e) => setTitle(e.detail.value)} />
        <View className="gd-filters">
          {GUIDANCE_SPORTS.map((s) => (
            <Text key={s} className={`gd-chip${sport === s ? ' gd-chip--on' : ''}`} onClick={() => setSport(s)}>
              {GUIDANCE_SPORT_LABELS_ZH[s]}
            </Text>
          ))}
        </View>
        <View className="gd-filters">
          {DISTRICTS.map((d) => (
            <Text key={d} className={`gd-chip${district === d ? ' gd-chip--on' : ''}`} onClick={() => setDistrict(d)}>
              {d}
            </Text>
          ))}
        </View>
        <Input className="gd-input" placeholder="地点名称" value={placeName} onInput={(e) => setPlaceName(e.detail.value)} />
        <Input className="gd-input" placeholder="详细地址" value={address} onInput={(e) => setAddress(e.detail.value)} />
        <Button onClick={() => void pick()}>{loc ? `已定位 ${loc.lat.toFixed(4)}, ${loc.lng.toFixed(4)}` : '选择地点坐标'}</Button>
        <Input className="gd-input" placeholder="日期 YYYY-MM-DD" value={day} onInput={(e) => setDay(e.detail.value)} />
        <Input className="gd-input" placeholder="开始时间 HH:mm" value={time} onInput={(e) => setTime(e.detail.value)} />
        <Input className="gd-input" type="number" placeholder="时长（分钟）" value={minutes} onInput={(e) => setMinutes(e.detail.value)} />
        <Input className="gd-input" type="number" placeholder="名额" value={capacity} onInput={(e) => setCapacity(e.detail.value)} />
        <View className="gd-filters">
          {DIFFICULTIES.map((d) => (
            <Text key={d} className={`gd-chip${difficulty === d ? ' gd-chip--on' : ''}`} onClick={() => setDifficulty(d)}>
              {DIFFICULTY_LABELS_ZH[d]}
            </Text>
          ))}
        </View>
        <Input className="gd-input" placeholder="请携带（选填）" value={bring} onInput={(e) => setBring(e.detail.value)} />
        <Input
          className="gd-input"
          type="number"
          placeholder="每周重复（再发布几周，0为不重复）"
          value={weeks}
          onInput={(e) => setWeeks(e.detail.value)}
        />
        <View className="gd-actions">
          <Button type="primary" disabled={!loc || title.trim().length < 2} onClick={() => void submit()}>
            发布
          </Button>
        </View>
      </View>
    </Screen>
  );
}
