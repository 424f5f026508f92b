/**
 * The personal-data scan (GB/T 37964 de-identification) every data-centre event passes at `emit`
 * and in the contract test: no direct identifiers (names, phone and ID numbers, exact birth
 * dates, addresses of people, WeChat ids) and no free texts. A user appears only as the HMAC
 * pseudonym `subject`; ages only as bands; places only as venue ids and districts.
 */

/** keys that must never appear in an event (compared case-insensitively, anywhere in the payload) */
const FORBIDDEN_KEY =
  /^(name|realname|nickname|displayname|holdername|phone|mobile|tel|telephone|contactphone|idnumber|idcard|idcardno|identity|birth|birthday|birthdate|dateofbirth|dob|age|address|homeaddress|email|openid|unionid|userid|ownerid|note|remark|comment|reason|text|message|description|intro)$/i;
const MOBILE = /(?<![0-9])1[3-9][0-9]{9}(?![0-9])/;
const ID_NUMBER = /(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])/;
/**
 * A database id, a pseudonym or a digest (hex, 24+ characters, at least one letter): its digit runs
 * are chance, not a phone or ID number — about one ObjectId in five from some processes carries 18 digits.
 */
const HEX_TOKEN = /^(e\d+\.)?(?=[0-9a-f]*[a-f])[0-9a-f]{24,}$/i;
const EMAIL = /[^\s@]+@[^\s@]+\.[a-z]{2,}/i;
/** CJK text is a name or a free text unless the contract names the field as public (a district, a venue's name) */
const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

export interface PersonalFinding {
  path: string;
  why: string;
}

/**
 * Returns every place in `payload` that looks like personal data; `publicText` lists the paths
 * (dot-separated, array indexes left out) whose Chinese text is public reference data.
 */
export function findPersonalData(payload: unknown, publicText: readonly string[] = []): PersonalFinding[] {
  const found: PersonalFinding[] = [];
  const allowed = new Set(publicText);
  const walk = (value: unknown, path: string[]) => {
    const dotted = path.join('.');
    if (typeof value === 'string') {
      const token = HEX_TOKEN.test(value);
      if (!token && MOBILE.test(value)) found.push({ path: dotted, why: 'a mobile number' });
      if (!token && ID_NUMBER.test(value)) found.push({ path: dotted, why: 'an ID number' });
      if (EMAIL.test(value)) found.push({ path: dotted, why: 'an e-mail address' });
      if (CJK.test(value) && !allowed.has(dotted) && path[path.length - 1] !== 'district')
        found.push({ path: dotted, why: 'a name or free text' });
      return;
    }
    if (typeof value === 'number') {
      if (MOBILE.test(String(value)) && String(value).length === 11) found.push({ path: dotted, why: 'a mobile number' });
      return;
    }
    if (Array.isArray(value)) return value.forEach((v) => walk(v, path));
    if (value && typeof value === 'object') {
      for (const [key, v] of Object.entries(value)) {
        const keyPath = [...path, key].join('.');
        if (FORBIDDEN_KEY.test(key) && !allowed.has(keyPath))
          found.push({ path: [...path, key].join('.'), why: `the field "${key}" is personal or free text` });
        walk(v, [...path, key]);
      }
    }
  };
  walk(payload, []);
  return found;
}

/** Age bands the feed uses instead of ages or birth dates. */
export const AGE_BANDS = ['0-6', '7-12', '13-17', '18-39', '40-59', '60-69', '70+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];
export function ageBand(age: number): AgeBand {
  if (age <= 6) return '0-6';
  if (age <= 12) return '7-12';
  if (age <= 17) return '13-17';
  if (age <= 39) return '18-39';
  if (age <= 59) return '40-59';
  if (age <= 69) return '60-69';
  return '70+';
}
