/**
 * Personal data in what people type: the server's detector (backend/roundtable/safeguards/
 * detect.py) in TypeScript, so the warning at the keyboard and the server's flag follow one
 * set of rules. Both are tested against the same cases (tests/fixtures/safeguards_cases.json).
 *
 * Porting notes: JavaScript's `\w`, `\d` and `\b` are ASCII-only where Python's are Unicode,
 * so they are spelt out below (W, D, B, E); JavaScript has no scoped `(?i:...)`, so the few
 * case-insensitive words inside case-sensitive patterns are written with `anyCase`.
 */

import { LATIN_GIVEN_NAMES, NOT_NAMES, THAI_GIVEN_NAMES } from './names';

export type PersonalKind = 'name' | 'phone' | 'email' | 'id_number' | 'birth' | 'address' | 'case_number';
export const PERSONAL_KINDS: readonly PersonalKind[] = ['name', 'phone', 'email', 'id_number', 'birth', 'address', 'case_number'];

export function isPersonalKind(value: unknown): value is PersonalKind {
  return (PERSONAL_KINDS as readonly unknown[]).includes(value);
}

export interface Span {
  kind: PersonalKind;
  start: number;
  end: number;
}

const TH = '\\u0e00-\\u0e7f';
const WC = '\\p{L}\\p{N}_'; // Python's \w, inside a class
const W = `[${WC}]`;
const D = '\\p{Nd}';
const B = `(?<![${WC}])`; // \b before a word
const E = `(?![${WC}])`; // \b after a word

function re(source: string, flags = ''): RegExp {
  return new RegExp(source, `gu${flags}`);
}

function anyCase(words: string): string {
  return words.replace(/[a-z]/gi, (c) => `[${c.toUpperCase()}${c.toLowerCase()}]`);
}

const EMAIL = re(`[${WC}.+\\-]+@[${WC}\\-]+(?:\\.[${WC}\\-]+)+`);
const NUMBER_RUN = re(`(?<![${WC}/.,])\\(?(\\+\\s?)?\\(?${D}[${D}\\s().\\-]{4,24}${D}(?![${WC}/]|[.,]${D})`);
const PHONE_CUE = new RegExp(
  `(?:${B}(?:tel|telp|telepon|phone|mobile|cell|call|calls|hp|handphone|no\\.?\\s*hp|wa|whatsapp|` +
    `line|viber|signal|telegram|contact|contacted|ponsel|nomor|number|sms|texted|hubungi)${E}` +
    `|โทร|เบอร์|มือถือ|ไลน์)[^${D}+]{0,12}$`,
  'iu',
);
const ID_CUE = new RegExp(
  `(?:${B}(?:passport|paspor|ktp|nik|kk|id card|identity card|national id|id no|id number|` +
    `id|sss|philsys|umid|nrc|cccd|cmnd|work permit|visa no|kitas|ic)${E}|หนังสือเดินทาง|` +
    `บัตรประชาชน|เลขประจำตัว|เลขบัตร|พาสปอร์ต)[^${WC}]{0,4}(?:no|number|nomor|เลขที่)?[^${WC}]{0,4}$`,
  'iu',
);
const PASSPORT = re(`${B}[A-Z]{1,2}\\s?${D}{6,8}[A-Z]?${E}`);
const ID_AFTER_CUE = re(
  `(?:${B}(?:passport|paspor|KTP|NIK|ID card|identity card|national ID|ID|NRC|SSS|PhilSys|` +
    `CCCD|CMND|work permit)${E}|หนังสือเดินทาง|บัตรประชาชน|เลขประจำตัวประชาชน|เลขบัตร|พาสปอร์ต)` +
    `\\s*(?:no\\.?|number|nomor|เลขที่|#)?\\s*[:#]?\\s*([A-Z0-9][A-Z0-9/\\-]{4,20})`,
  'id',
);
const MYANMAR_NRC = re(`${B}${D}{1,2}/[A-Za-z]{3,9}\\s?\\((?:N|E|P|Naing)\\)\\s?${D}{5,6}${E}`);

const DATE =
  `(?:${D}{1,2}[\\s./\\-](?:${D}{1,2}|[A-Za-z]{3,9}\\.?|[${TH}]{2,12}\\.?)[\\s./\\-]{1,2}${D}{2,4}` +
  `|[A-Z][a-z]{2,8}\\.?\\s${D}{1,2},?\\s${D}{4}|${D}{4}-${D}{2}-${D}{2})`;
const BIRTH_DATE = re(
  `(?:${B}(?:born(?:\\s+on)?|date of birth|d\\.?o\\.?b\\.?|birth\\s?date|birthday|lahir(?:\\s+pada)?` +
    `(?:\\s+tanggal)?|tanggal lahir|tgl\\.?\\s*lahir|ttl)${E}|เกิด(?:วันที่|เมื่อ(?:วันที่)?)?|วันเกิด)` +
    `\\s*[:,]?\\s*(?:(?:di|in|at)\\s+[A-Z]${W}+,?\\s*)?(${DATE})`,
  'id',
);
const AGE_EN = re(
  `${B}(?:(?:a|an|the|one|this|that|her|his|my|our|their)\\s+(${D}{1,2})[\\- ]years?[\\- ]old${E}(?!s)` +
    `|(${D}{1,2})[\\- ]years?[\\- ]old\\s+(?:girl|boy|woman|man|victim|survivor|daughter|son|child|` +
    `sister|brother|mother|wife|domestic worker|worker|fisherman|student)${E}` +
    `|(?:she|he)\\s+(?:was|is|is now|was only|was just|turned)\\s+(${D}{1,2})(?:\\s+years?\\s+old)?` +
    `(?=\\s*[,.;)]|\\s+(?:when|at|and|years|old|in)${E})` +
    `|(?:girl|boy|woman|man|victim|survivor|daughter|son|child|worker),?\\s+aged\\s+(${D}{1,2})${E}` +
    `(?!\\s*(?:-|\\u2013|to|and|or|\\+|years? and))` +
    `|(?:girl|boy|woman|man|victim|survivor|child),\\s*(${D}{1,2}),` +
    `|${B}age\\s*:\\s*(${D}{1,2})${E}|(${D}{1,2})\\s?(?:y/o|yo|yrs? old)${E})`,
  'id',
);
const AGE_ID = re(
  `(?:${B}(?:seorang|korban|ia|dia|gadis|perempuan|laki-laki|putri|putra|anaknya|` +
    `anak perempuan|anak laki-laki|bernama\\s+${W}+)${E}[^.;]{0,25}?)` +
    `${B}(?:berusia|berumur|umur|usia|umurnya|usianya)\\s+(${D}{1,2})\\s*(?:tahun|thn|th)${E}` +
    `(?!\\s*(?:ke atas|keatas|ke bawah|-|\\u2013|sampai|hingga|s\\.d\\.|atau lebih))`,
  'id',
);
// "gadis 15 tahun", "korban 16 tahun": an age right after a word for one person.
const AGE_ID_BARE = re(
  `(?<!-)${B}(?:gadis|bocah|remaja|korban|putri|putra|anak perempuan|anak laki-laki|seorang anak)` +
    `\\s+(${D}{1,2})\\s*(?:tahun|thn)${E}` +
    `(?!\\s*(?:ke atas|keatas|ke bawah|kebawah|-|\\u2013|sampai|hingga|s\\.d\\.|atau lebih))`,
  'id',
);
const AGE_TH = re(
  `(?:เด็กหญิง|เด็กชาย|ด\\.ญ\\.|ด\\.ช\\.|นางสาว|น\\.ส\\.|นาง|นาย|เธอ|เขา|รายหนึ่ง|คนหนึ่ง|` +
    `ผู้เสียหาย(?:ราย)?|หญิงสาว|ลูกสาว|ลูกชาย|หลานสาว|น้อง)[^.${D}]{0,20}?` +
    `(?:อายุ|วัย)\\s*(${D}{1,2})\\s*(?:ปี|ขวบ)(?!\\s*(?:ขึ้นไป|ลงมา|บริบูรณ์ขึ้นไป|ถึง|-|\\u2013))`,
  'd',
);
const AGE_MORE = re(
  `\\(\\s*${anyCase('age')}[dD]?\\s*:?\\s*(${D}{1,2})\\s*\\)` +
    `|${B}(?:${anyCase('she|he|who')})\\s+${anyCase('was')}\\s+${anyCase('born')}\\s+${anyCase('in')}\\s+((?:19|20)${D}{2})${E}` +
    `|${B}${anyCase('lahir')}\\s+(?:${anyCase('pada')}\\s+)?${anyCase('tahun')}\\s+((?:19|20)${D}{2})${E}`,
  'd',
);
const NAME_AGED = re(`${B}([A-Z][a-z]{1,14})(,?)\\s+aged\\s+(${D}{1,2})${E}(?!\\s*(?:-|\\u2013|to|and|or|\\+))`, 'd');
// "Children, aged 12" is a group: plural words and these are never names before ", aged".
const GROUP_WORDS = new Set('children men women people minors adults youth boys girls victims survivors'.split(' '));
const WORD_BEFORE = new RegExp(`(?:[A-Z][a-z]{1,14}|[${TH}]{2,})\\s*$`, 'u');
const LEGAL_WORDS = new Set([
  ...'article section pasal ayat paragraph para clause rule huruf angka annex chapter bab'.split(' '),
  'มาตรา',
  'ข้อ',
  'วรรค',
]);
const AGE_PAREN = re(`\\(\\s*(${D}{1,2})\\s*(?:tahun|thn|th|ปี|ขวบ|y/?o|yrs?|years? old)?\\s*\\)`, 'i');

const ADDRESS = [
    `${B}${D}{1,5}[A-Za-z]?(?:/${D}{1,4})?,?\\s+(?:[A-Z][${WC}'.\\-]+\\s+){1,4}` +
      `(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Boulevard|Blvd|Drive|Highway|Alley)${E}\\.?`,
    `${B}(?:${D}{1,4}(?:/${D}{1,4})?,?\\s+)?(?:Soi|Moo|Sukhumvit Soi|Thanon)\\s+${D}{1,3}(?:/${D}{1,3})?${E}`,
    `${B}(?:Jl|Jln)\\.?\\s+(?:(?!No\\.?\\s*${D})[A-Z][${WC}.'\\-]*\\s*){1,4}` +
      `(?:${D}{1,3}[A-Za-z]?,?\\s+(?=No\\.?\\s*${D}))?(?:No\\.?\\s*${D}+[A-Za-z]?)?` +
      `|${B}(?:Jalan|Gang|Gg\\.)\\s+(?:[A-Z][${WC}.'\\-]*\\s+){1,3}No\\.?\\s*${D}+[A-Za-z]?`,
    `${B}RT\\.?\\s?0?${D}{1,3}\\s?/?\\s?RW\\.?\\s?0?${D}{1,3}${E}`,
    `${B}(?:Blk|Block)\\.?\\s*${D}{1,4}[A-Z]?,?\\s*(?:Lot|L)\\.?\\s*${D}{1,4}${E}` +
      `|${B}No\\.?\\s*${D}{1,5}[A-Z]?,?\\s+(?:Jalan|Jln|Lorong|Taman|Persiaran|Lebuh)\\s+[A-Z][${WC}'.\\-]*` +
      `|${B}${D}{1,5}[A-Z]?(?:/${D}{1,4})?,?\\s+(?:Jalan|Jln|Jl\\.|Lorong|Thanon|Soi)\\s+[A-Z][${WC}'.\\-]*` +
      `(?:\\s+[A-Z][${WC}'.\\-]*){0,3}`,
    `${B}(?:${anyCase('P')}\\.?${anyCase('O')}\\.?\\s?${anyCase('Box')}|${anyCase('Kotak Pos')})\\s+${D}{1,6}${E}`,
    `บ้านเลขที่\\s*${D}+(?:/${D}+)?|ที่อยู่\\s*:?\\s*${D}+(?:/${D}+)?`,
    `${D}{1,4}/${D}{1,4}\\s*(?:หมู่|ม\\.|ซอย|ซ\\.|ถนน|ถ\\.)\\s*(?:ที่)?\\s*[${TH}${D}]*`,
    `(?:ซอย|ซ\\.)\\s*[${TH}]*\\s*${D}{1,3}(?:/${D}{1,3})?|หมู่(?:ที่)?\\s*${D}{1,2}(?!${D})`,
].map((p) => re(p));
const ADDRESS_CUE = re(
  `${B}(?:${anyCase(
    'lives|living|lived|stays|staying|stayed|resides|residing|located|address|alamat|tinggal|beralamat|berdomisili',
  )})\\s+(?:${anyCase('at|is|in|di')}|:)?\\s*((?:No\\.?\\s*)?${D}{1,5}[A-Za-z]?` +
    `(?:/${D}{1,4})?,?\\s+[A-Z][${WC}.'\\-]+)`,
  'd',
);
const CASE_NUMBER = re(
  [
    `${B}(?:case|file|docket|complaint|blotter|FIR|police report|incident report|ref|reference)` +
      `\\s*(?:no\\.?|number|num\\.?|#|nr\\.?)\\s*:?\\s*([A-Z0-9][${WC}./\\-]*${D}[${WC}./\\-]*)`,
    `${B}case\\s+(${D}{1,6}[/\\-]${D}{2,4})${E}`,
    `${B}(?:file|case|police|court|our)\\s+ref(?:erence)?\\.?\\s*:?\\s*` +
      `([A-Z0-9][${WC}.\\-]*[/\\-][${WC}./\\-]*${D}[${WC}./\\-]*)`,
    `${B}(?:perkara|nomor perkara|no\\.?\\s*perkara|berkas perkara|laporan polisi|putusan)` +
      `\\s*(?:nomor|no\\.?)?\\s*:?\\s*([${WC}./\\-]*${D}[${WC}./\\-]*)`,
    `(?:คดี(?:อาญา|แพ่ง|ค้ามนุษย์)?(?:หมายเลข)?(?:คดี)?(?:ดำ|แดง)?(?:ที่)?|เลขคดี|สำนวน(?:การสอบสวน)?(?:ที่)?|ปจว\\.?(?:ข้อ)?)` +
      `\\s*([${TH}]{0,3}\\.?\\s?${D}{1,6}/${D}{2,4})`,
  ]
    .map((p) => `(?:${p})`)
    .join('|'),
  'id',
);
const CASE_SHAPE = re(
  `${B}${D}{1,5}/Pid(?:\\.[A-Za-z]+)?(?:-TPPO)?/${D}{4}/PN\\.?\\s?[A-Z][${WC}.]*(?:\\s[A-Z][a-z]{1,4}${E})?` +
    `|${B}LP/[A-Z]?/?${D}{1,6}/[IVX]{1,4}/${D}{4}(?:/[${WC}.\\-]+)*`,
);
const HONORIFIC_NAME = re(
  `${B}(?:Mr|Mrs|Ms|Miss|Mdm|Madam|Sdr|Sdri|Saudari|Saudara|Ibu|Bu|Bapak|Pak|Nona|Nn|Tn|Ny|` +
    `Mbak|Mas|Kak|Adik|Dik|Daw|Maung|Mg|Nang)\\.?\\s+([A-Z][a-z]+(?:\\s+[A-Z][a-z]+){0,2})`,
  'd',
);
const NAMED = re(
  `${B}(?:${anyCase('named|bernama|namanya|atas nama|whose name is|known as|alias')}|${anyCase('nama')}(?:${anyCase('nya')})?\\s*:)\\s+` +
    `([A-Z][a-z]+(?:\\s+[A-Z][a-z]+){0,2})`,
  'd',
);
const CALLED = re(`(?<!so-)${B}called\\s+([A-Z][a-z]+(?:\\s+[A-Z][a-z]+){0,2})`, 'd');
const VIET_NAME = re(`${B}(?:Nguyen|Tran|Le|Pham|Hoang|Vo|Dang|Bui)\\s+Thi\\s+[A-Z][a-z]+${E}`);
const THAI_ABBREV_NAME = re(`(?:ด\\.ญ\\.|ด\\.ช\\.|น\\.ส\\.)\\s*([${TH}]{2,12})`, 'd');
const THAI_NAME = re(
  `(?:นางสาว|นาง|นาย|เด็กหญิง|เด็กชาย|ชื่อ|คุณ|น้อง)\\s*(${[...THAI_GIVEN_NAMES]
    .sort((a, b) => b.length - a.length)
    .join('|')})`,
  'd',
);
// After the honorifics that are never the start of an ordinary word, any Thai word is a
// name; after นาย / นาง (also the start of นายจ้าง, นายหน้า, นางพยาบาล …) only a given name
// and a surname written apart ("นางบุญมี ศรีสุข").
const THAI_STRONG_NAME = re(`(?:นางสาว|เด็กหญิง|เด็กชาย|ด\\.ญ\\.|ด\\.ช\\.|น\\.ส\\.)\\s*([${TH}]{2,15})(?![${TH}])`, 'd');
const THAI_NAI_NANG = re(`(?:นาย|นาง)(?!สาว)([${TH}]{2,12}) (?=[${TH}]{3,15}(?![${TH}]))`, 'd');
const NOT_THAI_NAMES = [
  'จ้าง', 'หน้า', 'ก', 'อำเภอ', 'ทหาร', 'ตำรวจ', 'พยาบาล', 'แบบ', 'ประกัน', 'ทุน', 'ด่าน',
  'เรือ', 'งาน', 'ช่าง', 'สิบ', 'พราน', 'ท่า', 'แพทย์', 'อากาศ', 'ร้อย', 'พัน', 'ทะเบียน',
  'ตรวจ', 'สถานี',
];
// A nickname after น้อง, then the child's age: "น้องฝน อายุ 14 ปี".
const THAI_NICKNAME_AGE = re(`น้อง([${TH}]{1,8}) +(?:อายุ|วัย)\\s*${D}{1,2}\\s*(?:ปี|ขวบ)`, 'd');
const THAI_SURNAME = new RegExp(` ([${TH}]{3,15})(?![${TH}])`, 'uy');
const NOT_SURNAMES = [
  'ถูก', 'ได้', 'เป็น', 'อายุ', 'ไป', 'มา', 'จาก', 'ที่', 'และ', 'ซึ่ง', 'ให้', 'แม่', 'พ่อ',
  'ลูก', 'บอก', 'กล่าว', 'เล่า', 'ทำ', 'อยู่', 'เคย', 'ยัง', 'ก็', 'จึง', 'วัย', 'เกิด', 'ผู้',
  'กับ', 'หรือ', 'แต่', 'เพื่อ', 'ใน', 'ขอ', 'พา', 'หนี', 'ติดต่อ', 'โทร', 'ต้อง', 'ไต้ก๋ง',
  'มี', 'ไม่', 'จะ', 'กำลัง', 'เดินทาง', 'ชาว', 'อาศัย', 'ขาย', 'ถือ',
];
// What follows "เด็กหญิง" or "นางสาว" when it is no name: "เด็กหญิงและเด็กชาย", "เด็กชาย
// อายุต่ำกว่า 15 ปี", "เด็กหญิงชาวเมียนมา", "นางสาวคนหนึ่ง".
const NOT_NAME_STARTS = [
  ...NOT_SURNAMES, 'ชาว', 'คน', 'ราย', 'ทุก', 'ทั้ง', 'ต่าง', 'จำนวน', 'ส่วน', 'เหล่า', 'บาง',
  'หลาย', 'ไทย', 'วัย', 'อายุ',
];
const startsWithAny = (s: string, starts: readonly string[]) => starts.some((w) => s.startsWith(w));
const CAPITALISED = re(`${B}[A-Z][a-z]{1,14}${E}`);
const CASE_CONTEXT = new RegExp(
  `${B}(?:victim|survivor|girl|boy|woman|man|she|her|he|his|trafficked|rescued|recruited|` +
    `daughter|son|mother|told|says|said|case|korban|perempuan|gadis|dia|ia|diperdagangkan|` +
    `ditemukan|direkrut|diselamatkan|anaknya|years? old|shelter|escaped|sold|abused|` +
    `exploited|found|client|fisherman|forced|held|kept|detained|interviewed|deceived|` +
    `confiscated|dipaksa|ditahan|dipulangkan|dijanjikan)${E}|ผู้เสียหาย|เด็กหญิง|เด็กชาย|ถูก`,
  'iu',
);
const FOLLOWING_NAME = new RegExp(`\\s[A-Z][a-z]{1,14}${E}`, 'uy');
const NAME_WITH_AGE = re(
  `${B}((?:[A-Z][a-z]{1,14}\\s){0,2}[A-Z][a-z]{1,14})\\s*` +
    `(?:\\(\\s*(${D}{1,2})\\s*\\)|,\\s*(${D}{1,2})\\s*,|,\\s+an?\\s+(${D}{1,2})[\\- ]years?[\\- ]old${E})`,
  'd',
);
// "the victim Aye Aye Win", "korban Siti": capitalised words right after a (lower-case) cue.
const CASE_NOUN_NAME = re(
  `${B}(?:victim|survivor|korban|client|the girl|the boy|the woman|the man),? +((?:[A-Z][a-z]+ ){0,2}[A-Z][a-z]+)${E}`,
  'd',
);
const DIGIT = new RegExp(D, 'u');

const isDigit = (c: string) => DIGIT.test(c);
/** Python's str.islower: has cased letters, all lower case (Thai has none). */
const isLower = (s: string) => s !== s.toUpperCase() && s === s.toLowerCase();
const countDigits = (s: string) => [...s].filter(isDigit).length;

/** The first group that took part in the match (or the whole match). */
function firstGroup(m: RegExpExecArray): [number, number] {
  const indices = m.indices;
  if (indices) {
    for (let i = 1; i < indices.length; i++) {
      const pair = indices[i];
      if (pair) return pair;
    }
  }
  return [m.index, m.index + m[0].length];
}

function all(pattern: RegExp, text: string): RegExpExecArray[] {
  return [...text.matchAll(pattern)];
}

/** Every personal detail found in `text`, in order, without overlaps. */
export function findSpans(text: string): Span[] {
  if (!text) return [];
  const found: Span[] = [];
  if (text.includes('@')) for (const m of all(EMAIL, text)) found.push(span('email', m));
  if ([...text].some(isDigit)) {
    found.push(...numbers(text), ...ages(text));
    for (const pattern of ADDRESS) for (const m of all(pattern, text)) found.push(span('address', m));
    for (const m of all(ADDRESS_CUE, text)) found.push(groupSpan('address', m, true));
    for (const m of all(CASE_SHAPE, text)) found.push(span('case_number', m));
    for (const m of all(CASE_NUMBER, text)) found.push(groupSpan('case_number', m, true));
  }
  found.push(...names(text));
  return withoutOverlaps(found);
}

function span(kind: PersonalKind, m: RegExpExecArray): Span {
  return { kind, start: m.index, end: m.index + m[0].length };
}

/** From the first group's start; to the group's end, or (`toEnd`) the match's end. */
function groupSpan(kind: PersonalKind, m: RegExpExecArray, toEnd = false): Span {
  const [start, end] = firstGroup(m);
  return { kind, start, end: toEnd ? m.index + m[0].length : end };
}

function numbers(text: string): Span[] {
  const spans: Span[] = [];
  for (const m of all(NUMBER_RUN, text)) {
    const run = m[0].replace(/[ .\-(]+$/u, '');
    const start = m.index;
    const end = start + run.length;
    const digits = countDigits(run);
    const lead = run.replace(/^\(+/u, '').trimStart();
    const before = text.slice(Math.max(0, start - 30), start);
    if (lead.startsWith('+') && digits >= 8 && digits <= 15) spans.push({ kind: 'phone', start, end });
    else if (digits >= 12 && !lead.startsWith('0')) spans.push({ kind: 'id_number', start, end });
    else if (
      (lead.startsWith('0') && digits >= 9 && digits <= 13 && !looksLikeDate(run)) ||
      (digits >= 7 && digits <= 15 && PHONE_CUE.test(before))
    )
      spans.push({ kind: 'phone', start, end });
    else if (digits >= 6 && ID_CUE.test(before)) spans.push({ kind: 'id_number', start, end });
  }
  for (const m of all(PASSPORT, text)) spans.push(span('id_number', m));
  for (const m of all(MYANMAR_NRC, text)) spans.push(span('id_number', m));
  for (const m of all(ID_AFTER_CUE, text)) {
    if (countDigits(m[1] ?? '') >= 5) spans.push(groupSpan('id_number', m));
  }
  return spans;
}

function looksLikeDate(run: string): boolean {
  const parts = run
    .replace(/^\(+|\)+$/gu, '')
    .split(/[\s./-]+/u)
    .filter(Boolean);
  if (parts.length !== 3) return false;
  const [a, b, c] = parts as [string, string, string];
  const dayFirst = a.length <= 2 && b.length <= 2 && (c.length === 2 || c.length === 4);
  const yearFirst = a.length === 4 && b.length <= 2 && c.length <= 2;
  return dayFirst || yearFirst;
}

function ages(text: string): Span[] {
  const spans: Span[] = [];
  for (const m of all(BIRTH_DATE, text)) spans.push(groupSpan('birth', m));
  for (const m of all(NAME_AGED, text)) {
    const word = (m[1] ?? '').toLowerCase();
    // With a comma ("Joseph, aged 14,") any word but a group or a title is a name.
    const named =
      LATIN_GIVEN_NAMES.has(word) ||
      (m[2] === ',' && !GROUP_WORDS.has(word) && !NOT_NAMES.has(word) && !LEGAL_WORDS.has(word));
    if (named && m.indices?.[1] && m.indices[3]) {
      spans.push({ kind: 'name', start: m.indices[1][0], end: m.indices[1][1] });
      spans.push({ kind: 'birth', start: m.indices[3][0], end: m.indices[3][1] });
    }
  }
  for (const m of all(AGE_ID_BARE, text)) spans.push(groupSpan('birth', m));
  for (const pattern of [AGE_EN, AGE_ID, AGE_TH, AGE_MORE]) {
    for (const m of all(pattern, text)) spans.push(groupSpan('birth', m));
  }
  for (const m of all(AGE_PAREN, text)) {
    const word = WORD_BEFORE.exec(text.slice(Math.max(0, m.index - 30), m.index));
    const before = word?.[0].trim() ?? '';
    const lowered = before.toLowerCase();
    if (before && !LEGAL_WORDS.has(lowered) && !NOT_NAMES.has(lowered) && !isLower(before)) {
      if (THAI_START.test(before)) {
        if (!thaiNameLike(before)) continue; // "ข้อเสนอแนะ (3)": a numbered point, not a person's age
        // "มาลี (16)", "น้องแก้ว (15)": the name too, without its cue.
        const end = Math.max(0, m.index - 30) + (word?.index ?? 0) + before.length;
        const cue = THAI_NAME_CUES.find((c) => before.startsWith(c)) ?? '';
        spans.push({ kind: 'name', start: end - before.length + cue.length, end });
      }
      spans.push(span('birth', m));
    }
  }
  return spans;
}

const THAI_START = new RegExp(`^[${TH}]`, 'u');
const THAI_NAME_CUES = ['นางสาว', 'นาง', 'นาย', 'เด็กหญิง', 'เด็กชาย', 'ด.ญ.', 'ด.ช.', 'น.ส.', 'น้อง', 'ชื่อ', 'คุณ'];
/** A Thai word before "(16)" that says a person: a cue then a name, or a given name. */
function thaiNameLike(word: string): boolean {
  return startsWithAny(word, THAI_NAME_CUES) || [...THAI_GIVEN_NAMES].some((n) => word.endsWith(n));
}

function names(text: string): Span[] {
  const spans: Span[] = [];
  const firstWord = (s: string) => (s.split(/\s+/u)[0] ?? '').toLowerCase();
  for (const pattern of [HONORIFIC_NAME, NAMED]) {
    for (const m of all(pattern, text)) {
      if (!NOT_NAMES.has(firstWord(m[1] ?? ''))) spans.push(groupSpan('name', m));
    }
  }
  for (const m of all(CALLED, text)) {
    if (LATIN_GIVEN_NAMES.has(firstWord(m[1] ?? ''))) spans.push(groupSpan('name', m));
  }
  for (const m of all(VIET_NAME, text)) spans.push(span('name', m));
  spans.push(...thaiNames(text));
  for (const m of all(NAME_WITH_AGE, text)) {
    const words = (m[1] ?? '').toLowerCase().split(/\s+/u);
    if (words.some((w) => NOT_NAMES.has(w))) continue;
    if (words.length > 1 || LATIN_GIVEN_NAMES.has(words[0] ?? '')) {
      spans.push(groupSpan('name', m));
      const age = [2, 3, 4].map((i) => m.indices?.[i]).find((pair) => pair !== undefined);
      if (age) spans.push({ kind: 'birth', start: age[0], end: age[1] });
    }
  }
  for (const m of all(CASE_NOUN_NAME, text)) {
    if (!(m[1] ?? '').toLowerCase().split(/\s+/u).some((w) => NOT_NAMES.has(w))) spans.push(groupSpan('name', m));
  }
  if (CASE_CONTEXT.test(text)) {
    for (const m of all(CAPITALISED, text)) {
      if (LATIN_GIVEN_NAMES.has(m[0].toLowerCase())) {
        spans.push({ kind: 'name', start: m.index, end: nameEnd(text, m.index + m[0].length) });
      }
    }
  }
  return spans;
}

function thaiNames(text: string): Span[] {
  const found: [number, number][] = [];
  const group = (m: RegExpExecArray) => firstGroup(m);
  for (const pattern of [THAI_ABBREV_NAME, THAI_NAME]) for (const m of all(pattern, text)) found.push(group(m));
  for (const m of all(THAI_STRONG_NAME, text)) if (!startsWithAny(m[1] ?? '', NOT_NAME_STARTS)) found.push(group(m));
  for (const m of all(THAI_NAI_NANG, text)) if (!startsWithAny(m[1] ?? '', NOT_THAI_NAMES)) found.push(group(m));
  for (const m of all(THAI_NICKNAME_AGE, text)) {
    if (!['สาว', 'ชาย', 'ๆ'].includes(m[1] ?? '')) found.push(group(m)); // a younger sister or brother
  }
  return found.map(([start, end]) => {
    THAI_SURNAME.lastIndex = end;
    const surname = THAI_SURNAME.exec(text);
    if (surname && !startsWithAny(surname[1] ?? '', NOT_SURNAMES)) end = surname.index + surname[0].length;
    return { kind: 'name', start, end };
  });
}

function nameEnd(text: string, end: number): number {
  for (let i = 0; i < 2; i++) {
    FOLLOWING_NAME.lastIndex = end;
    const follow = FOLLOWING_NAME.exec(text);
    if (!follow || NOT_NAMES.has(follow[0].trim().toLowerCase())) break;
    end = follow.index + follow[0].length;
  }
  return end;
}

function withoutOverlaps(spans: Span[]): Span[] {
  spans.sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start));
  const kept: Span[] = [];
  for (const s of spans) {
    if (s.end <= s.start) continue;
    const last = kept.at(-1);
    if (last && s.start < last.end) {
      if (s.end > last.end && s.kind === last.kind) kept[kept.length - 1] = { ...last, end: s.end };
      continue;
    }
    kept.push(s);
  }
  return kept;
}

export const REDACTED = '[redacted]';

/** `text` with every detail replaced by "[redacted]" (what the one-click redaction does). */
export function redactText(text: string, spans: Span[] = findSpans(text)): string {
  let out = '';
  let last = 0;
  for (const s of spans) {
    out += text.slice(last, s.start) + REDACTED;
    last = s.end;
  }
  return out + text.slice(last);
}
