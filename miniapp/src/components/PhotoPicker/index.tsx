import { useEffect, useState, type Dispatch, type SetStateAction } from 'react';
import Taro from '@tarojs/taro';
import { Image, Text, View } from '@tarojs/components';
import { GUIDANCE_PHOTO_MAX_BYTES, GUIDANCE_PHOTO_TYPES } from '@citysport/shared';
import FormField from '../../components/FormField';
import { errorMessageZh } from '../../api/errors';
import { IS_H5 } from '../../api/config';
import type { UploadSource } from '../../api/client';
import { guidanceApi } from '../../api/guidance';

const MAX_MB = GUIDANCE_PHOTO_MAX_BYTES / 1024 / 1024;

export interface Photo {
  /** the server's id once uploaded */
  id: string | null;
  /** what the thumbnail shows: the picked file, so no signed-in image request is needed */
  preview: string;
  name: string;
  error: string | null;
}

/** a picked file, whichever way it came */
interface Picked {
  source: UploadSource;
  preview: string;
  name: string;
  size: number;
  type?: string;
}

/**
 * Photos for a log or a profile: picked with Taro.chooseImage (weapp) or an <input type=file>
 * (h5), checked for size and type here as the API does, uploaded one by one to the GridFS photo
 * API, shown as thumbnails of the picked files, each removable. The server's refusals in Chinese.
 */
export default function PhotoPicker({
  photos,
  setPhotos,
  max,
  label,
  onUploading,
}: {
  photos: Photo[];
  setPhotos: Dispatch<SetStateAction<Photo[]>>;
  max: number;
  label: string;
  /** how many uploads are under way (the page waits for them before submitting) */
  onUploading?: (n: number) => void;
}) {
  const [uploading, setUploading] = useState(0);
  const [pickError, setPickError] = useState<string | null>(null);
  const room = max - photos.length;
  useEffect(() => onUploading?.(uploading), [uploading, onUploading]);

  const add = async (files: Picked[]) => {
    setPickError(null);
    const take = files.slice(0, room);
    if (files.length > room) setPickError(`最多上传${max}张照片`);
    for (const f of take) {
      if (f.size > GUIDANCE_PHOTO_MAX_BYTES) {
        setPickError(`“${f.name}”超过${MAX_MB}MB，请压缩后再上传`);
        continue;
      }
      if (f.type && !(GUIDANCE_PHOTO_TYPES as readonly string[]).includes(f.type)) {
        setPickError(`“${f.name}”不是 JPG、PNG 或 WebP 图片`);
        continue;
      }
      setUploading((n) => n + 1);
      try {
        const r = await guidanceApi.uploadPhoto(f.source);
        setPhotos((ps) => [...ps, { id: r.photo.id, preview: f.preview, name: f.name, error: null }]);
      } catch (e) {
        // the server decides the type by the bytes: its answer, in Chinese
        setPickError(`“${f.name}”上传失败：${errorMessageZh(e)}`);
      } finally {
        setUploading((n) => n - 1);
      }
    }
  };

  const choose = async () => {
    if (room <= 0) return;
    const r = await Taro.chooseImage({ count: room, sizeType: ['compressed'], sourceType: ['camera', 'album'] }).catch(() => null);
    if (!r) return;
    await add(
      r.tempFiles.map((f, i) => ({
        source: { filePath: f.path },
        preview: f.path,
        name: `第${photos.length + i + 1}张`,
        size: f.size,
      })),
    );
  };

  const onFiles = (list: FileList | null) => {
    if (!list) return;
    void add(
      Array.from(list).map((f) => ({
        source: { file: f, name: f.name },
        preview: URL.createObjectURL(f),
        name: f.name,
        size: f.size,
        type: f.type,
      })),
    );
  };

  const remove = (i: number) => setPhotos((ps) => ps.filter((_, j) => j !== i));

  return (
    <FormField
      className="gd-field--plain"
      label={`${label}（${photos.length}/${max}）`}
      hint={`JPG、PNG 或 WebP，每张不超过${MAX_MB}MB`}
      error={pickError}
      errorClassName="ins-photo-error"
    >
      <View className="ins-photos">
        {photos.map((p, i) => (
          <View key={`${p.id}-${i}`} className="ins-photo" data-photo-id={p.id ?? ''}>
            <Image className="ins-photo__img" src={p.preview} mode="aspectFill" />
            <Text className="ins-photo__remove" onClick={() => remove(i)} aria-label={`删除${p.name}`}>
              删除
            </Text>
          </View>
        ))}
        {uploading > 0 ? (
          <View className="ins-photo ins-photo--busy">
            <Text>上传中…</Text>
          </View>
        ) : null}
        {room > 0 ? (
          IS_H5 ? (
            <View className="ins-photo ins-photo--add">
              <Text>＋ 添加照片</Text>
              <input
                className="ins-photo__file"
                type="file"
                accept={GUIDANCE_PHOTO_TYPES.join(',')}
                multiple
                onChange={(e) => {
                  onFiles(e.currentTarget.files);
                  e.currentTarget.value = '';
                }}
              />
            </View>
          ) : (
            <View className="ins-photo ins-photo--add" onClick={() => void choose()}>
              <Text>＋ 添加照片</Text>
            </View>
          )
        ) : null}
      </View>
    </FormField>
  );
}
