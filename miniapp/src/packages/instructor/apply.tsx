import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Input, Text, Textarea, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import {
  DISTRICTS,
  GUIDANCE_SPORTS,
  GUIDANCE_SPORT_LABELS_ZH,
  INSTRUCTOR_LEVELS,
  INSTRUCTOR_LEVEL_LABELS_ZH,
  type GuidanceSport,
  type InstructorLevel,
} from '@citysport/shared';
import Screen from '../../components/Screen';
import { notify } from '../../stores/elder';
import { guidanceApi } from '../../api/guidance';
import PhotoPicker, { type Photo } from '../../components/PhotoPicker';
import '../../styles/guidance.scss';

/** Apply (or update the application): level, certificate number, specialities, district, bio, photo. */
export default function InstructorApplyPage() {
  const [name, setName] = useState('');
  const [level, setLevel] = useState<InstructorLevel>('third');
  const [cert, setCert] = useState('');
  const [specs, setSpecs] = useState<GuidanceSport[]>([]);
  const [district, setDistrict] = useState<(typeof DISTRICTS)[number]>(DISTRICTS[0]);
  const [bio, setBio] = useState('');
  const [photos, setPhotos] = useState<Photo[]>([]);
  const [uploading, setUploading] = useState(0);
  const toggle = (s: GuidanceSport) => setSpecs(specs.includes(s) ? specs.filter((x) => x !== s) : [...specs, s]);
  const submit = async () => {
    try {
      const photoId = photos[0]?.id ?? undefined;
      await guidanceApi.apply({
        name: name.trim(),
        level,
        certificateNo: cert.trim(),
        specialities: specs,
        district,
        bio: bio.trim(),
        ...(photoId ? { photoId } : {}),
      });
      notify('已提交，等待体育局审核', 2500);
      void Taro.navigateBack();
    } catch {
      /* the client showed which field is wrong */
    }
  };
  return (
    <Screen className="instructor-apply-page">
      <View className="gd-section">
        <Input className="gd-input" placeholder="姓名" value={name} onInput={(e) => setName(e.detail.value)} />
        <Text className="gd-section__title">等级</Text>
        <View className="gd-filters">
          {INSTRUCTOR_LEVELS.map((l) => (
            <Text key={l} className={`gd-chip${level === l ? ' gd-chip--on' : ''}`} onClick={() => setLevel(l)}>
              {INSTRUCTOR_LEVEL_LABELS_ZH[l]}
            </Text>
          ))}
        </View>
        <Input className="gd-input" placeholder="证书编号" value={cert} onInput={(e) => setCert(e.detail.value)} />
        <Text className="gd-section__title">专长项目</Text>
        <View className="gd-filters">
          {GUIDANCE_SPORTS.map((s) => (
            <Text key={s} className={`gd-chip${specs.includes(s) ? ' gd-chip--on' : ''}`} onClick={() => toggle(s)}>
              {GUIDANCE_SPORT_LABELS_ZH[s]}
            </Text>
          ))}
        </View>
        <Text className="gd-section__title">所在区县</Text>
        <View className="gd-filters">
          {DISTRICTS.map((d) => (
            <Text key={d} className={`gd-chip${district === d ? ' gd-chip--on' : ''}`} onClick={() => setDistrict(d)}>
              {d}
            </Text>
          ))}
        </View>
        <Textarea
          className="gd-input"
          maxlength={500}
          placeholder="个人简介（500字以内）"
          value={bio}
          onInput={(e) => setBio(e.detail.value)}
        />
        <PhotoPicker photos={photos} setPhotos={setPhotos} max={1} label="个人照片（选填，展示在公开资料中）" onUploading={setUploading} />
        <View className="gd-actions">
          <Button type="primary" disabled={!name.trim() || !cert.trim() || !specs.length || uploading > 0} onClick={() => void submit()}>
            提交申请
          </Button>
        </View>
      </View>
    </Screen>
  );
}
