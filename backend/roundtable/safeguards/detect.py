"""Personal data of a person in what people type, in English, Bahasa Indonesia and Thai.

Trafficking checklists are full of numbers that are *not* personal: hotlines ("1343"),
laws ("UU No. 21 Tahun 2007", "RA 9208", "ACTIP Article 14"), ages of a group ("children
under 18", "anak di bawah 18 tahun", "เด็กอายุต่ำกว่า 18 ปี"), years and statistics. So
every rule here asks for the shape of a detail *and* what makes it one person's:

- ``phone``: a leading ``+`` or ``0`` and enough digits for a number one can call, or a
  phone word just before it ("tel", "WhatsApp", "telp", "โทร");
- ``email``: an address;
- ``id_number``: a passport number (letters then 6-8 digits), a long number (12+ digits:
  Thai ID with its check digit, Indonesian NIK, Vietnamese CCCD), a Myanmar NRC, or any
  number right after an ID word ("passport", "KTP", "บัตรประชาชน");
- ``birth``: a date after a birth word, or one exact age said of one person ("a 15-year-old
  girl", "seorang gadis berusia 15 tahun", "เด็กหญิงอายุ 15 ปี", "(16)");
- ``address``: a street address, a house number, an RT/RW, a soi or moo with its number;
- ``case_number``: a number after a case or file word, and the court and police formats;
- ``name``: a name after an honorific or "named" / "bernama" / "ชื่อ", or a common given
  name in a text that tells a case.

:func:`find_spans` returns where each was found; nothing here keeps the text itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from roundtable.safeguards.names import LATIN_GIVEN_NAMES, NOT_NAMES, THAI_GIVEN_NAMES

KINDS = ("name", "phone", "email", "id_number", "birth", "address", "case_number")


@dataclass(frozen=True, slots=True)
class Span:
    kind: str
    start: int
    end: int


ICASE = re.IGNORECASE
TH = "\u0e00-\u0e7f"


def _gate(words: tuple[str, ...]) -> re.Pattern[str]:
    """Finds any of ``words`` inside a text: ``any(w in text for w in words)`` in one call
    of the regular expression engine instead of a Python loop over the words."""
    return re.compile("|".join(re.escape(w) for w in words))


EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

# A run of digits with the separators phone and ID numbers are written with.
NUMBER_RUN = re.compile(r"(?<![\w/.,])\(?(\+\s?)?\(?\d[\d\s().-]{4,24}\d(?![\w/]|[.,]\d)")
PHONE_CUE = re.compile(
    r"(?:\b(?:tel|telp|telepon|phone|mobile|cell|call|calls|hp|handphone|no\.?\s*hp|wa|whatsapp|"
    r"line|viber|signal|telegram|contact|contacted|ponsel|nomor|number|sms|texted|hubungi)\b"
    r"|โทร|เบอร์|มือถือ|ไลน์)[^\d+]{0,12}$",
    ICASE,
)
ID_CUE = re.compile(
    r"(?:\b(?:passport|paspor|ktp|nik|kk|id card|identity card|national id|id no|id number|"
    r"id|sss|philsys|umid|nrc|cccd|cmnd|work permit|visa no|kitas|ic)\b|หนังสือเดินทาง|"
    r"บัตรประชาชน|เลขประจำตัว|เลขบัตร|พาสปอร์ต)[^\w]{0,4}(?:no|number|nomor|เลขที่)?[^\w]{0,4}$",
    ICASE,
)
PASSPORT = re.compile(r"\b[A-Z]{1,2}\s?\d{6,8}[A-Z]?\b")
ID_AFTER_CUE = re.compile(
    r"(?:\b(?:passport|paspor|KTP|NIK|ID card|identity card|national ID|ID|NRC|SSS|PhilSys|"
    r"CCCD|CMND|work permit)\b|หนังสือเดินทาง|บัตรประชาชน|เลขประจำตัวประชาชน|เลขบัตร|พาสปอร์ต)"
    r"\s*(?:no\.?|number|nomor|เลขที่|#)?\s*[:#]?\s*([A-Z0-9][A-Z0-9/-]{4,20})",
    ICASE,
)
MYANMAR_NRC = re.compile(r"\b\d{1,2}/[A-Za-z]{3,9}\s?\((?:N|E|P|Naing)\)\s?\d{5,6}\b")

DATE = (
    r"(?:\d{1,2}[\s./-](?:\d{1,2}|[A-Za-z]{3,9}\.?|[" + TH + r"]{2,12}\.?)[\s./-]{1,2}\d{2,4}"
    r"|[A-Z][a-z]{2,8}\.?\s\d{1,2},?\s\d{4}|\d{4}-\d{2}-\d{2})"
)
BIRTH_DATE = re.compile(
    r"(?:\b(?:born(?:\s+on)?|date of birth|d\.?o\.?b\.?|birth\s?date|birthday|lahir(?:\s+pada)?"
    r"(?:\s+tanggal)?|tanggal lahir|tgl\.?\s*lahir|ttl)\b|เกิด(?:วันที่|เมื่อ(?:วันที่)?)?|วันเกิด)"
    r"\s*[:,]?\s*(?:(?:di|in|at)\s+[A-Z][\w]+,?\s*)?(" + DATE + r")",
    ICASE,
)
# One exact age of one person (a group's age range is not personal).
AGE_EN = re.compile(
    r"\b(?:(?:a|an|the|one|this|that|her|his|my|our|their)\s+(\d{1,2})[- ]years?[- ]old\b(?!s)"
    r"|(\d{1,2})[- ]years?[- ]old\s+(?:girl|boy|woman|man|victim|survivor|daughter|son|child|"
    r"sister|brother|mother|wife|domestic worker|worker|fisherman|student)\b"
    r"|(?:she|he)\s+(?:was|is|is now|was only|was just|turned)\s+(\d{1,2})(?:\s+years?\s+old)?"
    r"(?=\s*[,.;)]|\s+(?:when|at|and|years|old|in)\b)"
    r"|(?:girl|boy|woman|man|victim|survivor|daughter|son|child|worker),?\s+aged\s+(\d{1,2})\b"
    r"(?!\s*(?:-|\u2013|to|and|or|\+|years? and))"
    r"|(?:girl|boy|woman|man|victim|survivor|child),\s*(\d{1,2}),"
    r"|\bage\s*:\s*(\d{1,2})\b|(\d{1,2})\s?(?:y/o|yo|yrs? old)\b)",
    ICASE,
)
AGE_ID = re.compile(
    r"(?:\b(?:seorang|korban|ia|dia|gadis|perempuan|laki-laki|putri|putra|anaknya|"
    r"anak perempuan|anak laki-laki|bernama\s+\w+)\b[^.;]{0,25}?)"
    r"\b(?:berusia|berumur|umur|usia|umurnya|usianya)\s+(\d{1,2})\s*(?:tahun|thn|th)\b"
    r"(?!\s*(?:ke atas|keatas|ke bawah|-|\u2013|sampai|hingga|s\.d\.|atau lebih))",
    ICASE,
)
# "gadis 15 tahun", "korban 16 tahun": an age right after a word for one person.
AGE_ID_BARE = re.compile(
    r"(?<!-)\b(?:gadis|bocah|remaja|korban|putri|putra|anak perempuan|anak laki-laki|seorang anak)"
    r"\s+(\d{1,2})\s*(?:tahun|thn)\b"
    r"(?!\s*(?:ke atas|keatas|ke bawah|kebawah|-|\u2013|sampai|hingga|s\.d\.|atau lebih))",
    ICASE,
)
AGE_TH = re.compile(
    r"(?:เด็กหญิง|เด็กชาย|ด\.ญ\.|ด\.ช\.|นางสาว|น\.ส\.|นาง|นาย|เธอ|เขา|รายหนึ่ง|คนหนึ่ง|"
    r"ผู้เสียหาย(?:ราย)?|หญิงสาว|ลูกสาว|ลูกชาย|หลานสาว|น้อง)[^.\d]{0,20}?"
    r"(?:อายุ|วัย)\s*(\d{1,2})\s*(?:ปี|ขวบ)(?!\s*(?:ขึ้นไป|ลงมา|บริบูรณ์ขึ้นไป|ถึง|-|\u2013))"
)
# The word right before "(15)": a name (capitalised, or Thai), not "Article" or "ayat".
WORD_BEFORE = re.compile(r"(?:[A-Z][a-z]{1,14}|[" + TH + r"]{2,})\s*$")
LEGAL_WORDS = frozenset(
    "article section pasal ayat paragraph para clause rule huruf angka annex chapter bab".split()  # noqa: SIM905
) | {"มาตรา", "ข้อ", "วรรค"}
# "Rina, aged 16", "(age 15)", "she was born in 2007", "lahir tahun 2007".
AGE_MORE = re.compile(
    r"\(\s*(?i:aged?)\s*:?\s*(\d{1,2})\s*\)"
    r"|\b(?i:she|he|who)\s+(?i:was)\s+(?i:born)\s+(?i:in)\s+((?:19|20)\d{2})\b"
    r"|\b(?i:lahir)\s+(?i:pada\s+)?(?i:tahun)\s+((?:19|20)\d{2})\b"
)
NAME_AGED = re.compile(
    r"\b([A-Z][a-z]{1,14})(,?)\s+aged\s+(\d{1,2})\b(?!\s*(?:-|\u2013|to|and|or|\+))"
)
# "Children, aged 12" is a group: plural words and these are never names before ", aged".
GROUP_WORDS = frozenset(
    "children men women people minors adults youth boys girls victims survivors".split()  # noqa: SIM905
)
AGE_PAREN = re.compile(r"\(\s*(\d{1,2})\s*(?:tahun|thn|th|ปี|ขวบ|y/?o|yrs?|years? old)?\s*\)", ICASE)

ADDRESS_PARTS = [
    re.compile(
        r"\b\d{1,5}[A-Za-z]?(?:/\d{1,4})?,?\s+(?:[A-Z][\w'.-]+\s+){1,4}"
        r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Boulevard|Blvd|Drive|Highway|Alley)\b\.?"
    ),
    re.compile(
        r"\b(?:\d{1,4}(?:/\d{1,4})?,?\s+)?(?:Soi|Moo|Sukhumvit Soi|Thanon)\s+\d{1,3}(?:/\d{1,3})?\b"
    ),
    re.compile(
        r"\b(?:Jl|Jln)\.?\s+(?:(?!No\.?\s*\d)[A-Z][\w.'-]*\s*){1,4}"
        r"(?:\d{1,3}[A-Za-z]?,?\s+(?=No\.?\s*\d))?(?:No\.?\s*\d+[A-Za-z]?)?"
        r"|\b(?:Jalan|Gang|Gg\.)\s+(?:[A-Z][\w.'-]*\s+){1,3}No\.?\s*\d+[A-Za-z]?"
    ),
    re.compile(r"\bRT\.?\s?0?\d{1,3}\s?/?\s?RW\.?\s?0?\d{1,3}\b"),
    re.compile(
        r"\b(?:Blk|Block)\.?\s*\d{1,4}[A-Z]?,?\s*(?:Lot|L)\.?\s*\d{1,4}\b"
        r"|\bNo\.?\s*\d{1,5}[A-Z]?,?\s+(?:Jalan|Jln|Lorong|Taman|Persiaran|Lebuh)\s+[A-Z][\w'.-]*"
        r"|\b\d{1,5}[A-Z]?(?:/\d{1,4})?,?\s+(?:Jalan|Jln|Jl\.|Lorong|Thanon|Soi)\s+[A-Z][\w'.-]*"
        r"(?:\s+[A-Z][\w'.-]*){0,3}"
    ),
    re.compile(r"\b(?i:P\.?O\.?\s?Box|Kotak Pos)\s+\d{1,6}\b"),
    re.compile(
        r"\b(?i:lives|living|lived|stays|staying|stayed|resides|residing|located|address|alamat|"
        r"tinggal|beralamat|berdomisili)\s+(?i:at|is|in|di|:)?\s*((?:No\.?\s*)?\d{1,5}[A-Za-z]?"
        r"(?:/\d{1,4})?,?\s+[A-Z][\w.'-]+)"
    ),
    re.compile(r"บ้านเลขที่\s*\d+(?:/\d+)?|ที่อยู่\s*:?\s*\d+(?:/\d+)?"),
    re.compile(r"\d{1,4}/\d{1,4}\s*(?:หมู่|ม\.|ซอย|ซ\.|ถนน|ถ\.)\s*(?:ที่)?\s*[" + TH + r"\d]*"),
    re.compile(r"(?:ซอย|ซ\.)\s*[" + TH + r"]*\s*\d{1,3}(?:/\d{1,3})?|หมู่(?:ที่)?\s*\d{1,2}(?!\d)"),
]

CASE_NUMBER_PARTS = [
    re.compile(
        r"\b(?:case|file|docket|complaint|blotter|FIR|police report|incident report|ref|reference)"
        r"\s*(?:no\.?|number|num\.?|#|nr\.?)\s*:?\s*([A-Z0-9][\w./-]*\d[\w./-]*)",
        ICASE,
    ),
    re.compile(r"\bcase\s+(\d{1,6}[/-]\d{2,4})\b", ICASE),
    re.compile(
        r"\b(?:file|case|police|court|our)\s+ref(?:erence)?\.?\s*:?\s*"
        r"([A-Z0-9][\w.-]*[/-][\w./-]*\d[\w./-]*)",
        ICASE,
    ),
    re.compile(
        r"\b(?:perkara|nomor perkara|no\.?\s*perkara|berkas perkara|laporan polisi|putusan)"
        r"\s*(?:nomor|no\.?)?\s*:?\s*([\w./-]*\d[\w./-]*)",
        ICASE,
    ),
    re.compile(
        r"\b\d{1,5}/Pid(?:\.[A-Za-z]+)?(?:-TPPO)?/\d{4}/PN\.?\s?[A-Z][\w.]*(?:\s[A-Z][a-z]{1,4}\b)?"
        r"|\bLP/[A-Z]?/?\d{1,6}/[IVX]{1,4}/\d{4}(?:/[\w.-]+)*"
    ),
    re.compile(
        r"(?:คดี(?:อาญา|แพ่ง|ค้ามนุษย์)?(?:หมายเลข)?(?:คดี)?(?:ดำ|แดง)?(?:ที่)?|เลขคดี|สำนวน(?:การสอบสวน)?(?:ที่)?|ปจว\.?(?:ข้อ)?)"
        r"\s*([" + TH + r"]{0,3}\.?\s?\d{1,6}/\d{2,4})"
    ),
]

# Address shapes, each with the words one of its matches must contain (a cheap gate: most
# items skip them all); the cue pattern separately, so its match cannot hide a shape's.
ADDRESS = [
    (p, _gate(words))
    for p, words in zip(
        ADDRESS_PARTS[:6] + ADDRESS_PARTS[7:],
        [
            ("Street", "St", "Road", "Rd", "Ave", "Lane", "Ln", "Boulevard", "Blvd", "Drive",
             "Highway", "Alley"),
            ("Soi", "Moo", "Thanon"),
            ("Jl", "Jalan", "Gang", "Gg"),
            ("RW",),
            ("Blk", "Block", "Jalan", "Jln", "Jl.", "Lorong", "Taman", "Persiaran", "Lebuh",
             "Thanon", "Soi"),
            ("box", "kotak pos"),  # case-insensitive: matched against the lower-cased text
            ("บ้านเลขที่", "ที่อยู่"),
            ("หมู่", "ม.", "ซอย", "ซ.", "ถนน", "ถ."),
            ("ซอย", "ซ.", "หมู่"),
        ],
        strict=True,
    )
]  # fmt: skip
PO_BOX = ADDRESS_PARTS[5]
ADDRESS_CUE = ADDRESS_PARTS[6]
assert "lives" in ADDRESS_CUE.pattern
CASE_NUMBER = re.compile(
    "|".join(f"(?:{p.pattern})" for p in CASE_NUMBER_PARTS if "Pid" not in p.pattern), ICASE
)
CASE_SHAPE = re.compile(
    "|".join(f"(?:{p.pattern})" for p in CASE_NUMBER_PARTS if "Pid" in p.pattern)
)
HONORIFIC_NAME = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Mdm|Madam|Sdr|Sdri|Saudari|Saudara|Ibu|Bu|Bapak|Pak|Nona|Nn|Tn|Ny|"
    r"Mbak|Mas|Kak|Adik|Dik|Daw|Maung|Mg|Nang)\.?\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2})"
)
NAMED = re.compile(
    r"\b(?i:named|bernama|namanya|nama(?:nya)?\s*:|atas nama|whose name is|known as|alias)\s+"
    r"([A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2})"
)
CALLED = re.compile(r"(?<!so-)\bcalled\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2})")
VIET_NAME = re.compile(r"\b(?:Nguyen|Tran|Le|Pham|Hoang|Vo|Dang|Bui)\s+Thi\s+[A-Z][a-z]+\b")
THAI_ABBREV_NAME = re.compile(r"(?:ด\.ญ\.|ด\.ช\.|น\.ส\.)\s*([" + TH + r"]{2,12})")
THAI_NAME = re.compile(
    r"(?:นางสาว|นาง|นาย|เด็กหญิง|เด็กชาย|ชื่อ|คุณ|น้อง)\s*("
    + "|".join(sorted(THAI_GIVEN_NAMES, key=len, reverse=True))
    + r")"
)
# After the honorifics that are never the start of an ordinary word, any Thai word is a
# name; after นาย / นาง (also the start of นายจ้าง, นายหน้า, นางพยาบาล …) only a given name
# and a surname written apart ("นางบุญมี ศรีสุข").
THAI_STRONG_NAME = re.compile(
    r"(?:นางสาว|เด็กหญิง|เด็กชาย|ด\.ญ\.|ด\.ช\.|น\.ส\.)\s*([" + TH + r"]{2,15})(?![" + TH + r"])"
)
THAI_NAI_NANG = re.compile(
    r"(?:นาย|นาง)(?!สาว)([" + TH + r"]{2,12}) (?=[" + TH + r"]{3,15}(?![" + TH + r"]))"
)
NOT_THAI_NAMES = (
    "จ้าง", "หน้า", "ก", "อำเภอ", "ทหาร", "ตำรวจ", "พยาบาล", "แบบ", "ประกัน", "ทุน", "ด่าน",
    "เรือ", "งาน", "ช่าง", "สิบ", "พราน", "ท่า", "แพทย์", "อากาศ", "ร้อย", "พัน", "ทะเบียน",
    "ตรวจ", "สถานี",
)  # fmt: skip
# A nickname after น้อง, then the child's age: "น้องฝน อายุ 14 ปี".
THAI_NICKNAME_AGE = re.compile(r"น้อง([" + TH + r"]{1,8}) +(?:อายุ|วัย)\s*\d{1,2}\s*(?:ปี|ขวบ)")
THAI_SURNAME = re.compile(r" ([" + TH + r"]{3,15})(?![" + TH + r"])")
NOT_SURNAMES = (
    "ถูก", "ได้", "เป็น", "อายุ", "ไป", "มา", "จาก", "ที่", "และ", "ซึ่ง", "ให้", "แม่", "พ่อ",
    "ลูก", "บอก", "กล่าว", "เล่า", "ทำ", "อยู่", "เคย", "ยัง", "ก็", "จึง", "วัย", "เกิด", "ผู้",
    "กับ", "หรือ", "แต่", "เพื่อ", "ใน", "ขอ", "พา", "หนี", "ติดต่อ", "โทร", "ต้อง", "ไต้ก๋ง",
    "มี", "ไม่", "จะ", "กำลัง", "เดินทาง", "ชาว", "อาศัย", "ขาย", "ถือ",
)  # fmt: skip
# What follows "เด็กหญิง" or "นางสาว" when it is no name: "เด็กหญิงและเด็กชาย", "เด็กชาย
# อายุต่ำกว่า 15 ปี", "เด็กหญิงชาวเมียนมา", "นางสาวคนหนึ่ง".
NOT_NAME_STARTS = (
    *NOT_SURNAMES, "ชาว", "คน", "ราย", "ทุก", "ทั้ง", "ต่าง", "จำนวน", "ส่วน", "เหล่า", "บาง",
    "หลาย", "ไทย", "วัย", "อายุ",
)  # fmt: skip
CAPITALISED = re.compile(r"\b[A-Z][a-z]{1,14}\b")
CASE_CONTEXT = re.compile(
    r"\b(?:victim|survivor|girl|boy|woman|man|she|her|he|his|trafficked|rescued|recruited|"
    r"daughter|son|mother|told|says|said|case|korban|perempuan|gadis|dia|ia|diperdagangkan|"
    r"ditemukan|direkrut|diselamatkan|anaknya|years? old|shelter|escaped|sold|abused|"
    r"exploited|found|client|fisherman|forced|held|kept|detained|interviewed|deceived|"
    r"confiscated|dipaksa|ditahan|dipulangkan|dijanjikan)\b|ผู้เสียหาย|เด็กหญิง|เด็กชาย|ถูก",
    ICASE,
)
FOLLOWING_NAME = re.compile(r"\s[A-Z][a-z]{1,14}\b")
# "Siti (15)" or "Siti, 15," : a name with an age.
NAME_WITH_AGE = re.compile(
    r"\b((?:[A-Z][a-z]{1,14}\s){0,2}[A-Z][a-z]{1,14})\s*"
    r"(?:\(\s*(\d{1,2})\s*\)|,\s*(\d{1,2})\s*,|,\s+an?\s+(\d{1,2})[- ]years?[- ]old\b)"
)
# "the victim Aye Aye Win", "korban Siti": capitalised words right after a (lower-case) cue.
CASE_NOUN_NAME = re.compile(
    r"\b(?:victim|survivor|korban|client|the girl|the boy|the woman|the man),? +"
    r"((?:[A-Z][a-z]+ ){0,2}[A-Z][a-z]+)\b"
)


# Cheap gates: a pattern runs only when a word it needs is in the text (lower-cased), so
# most ordinary items skip most patterns. Each list holds every literal its pattern needs.
ANY_DIGIT = re.compile(r"\d")
ANY_THAI = re.compile("[" + TH + "]")
ID_WORDS = (
    "passport", "paspor", "ktp", "nik", "id", "nrc", "sss", "philsys", "cccd", "cmnd", "permit",
    "หนังสือเดินทาง", "บัตรประชาชน", "เลขประจำตัว", "เลขบัตร", "พาสปอร์ต",
)  # fmt: skip
BIRTH_WORDS = ("born", "birth", "dob", "d.o", "do.", "lahir", "ttl", "เกิด")
AGE_EN_WORDS = ("old", "age", "y/o", "yo", "yrs", "was", "is", "turned")
AGE_ID_WORDS = ("usia", "umur")
AGE_TH_WORDS = ("อายุ", "วัย")
AGE_MORE_WORDS = ("age", "born", "lahir")
CASE_WORDS = (
    "case", "file", "docket", "complaint", "blotter", "fir", "report", "ref", "perkara",
    "putusan", "laporan", "คดี", "สำนวน", "ปจว",
)  # fmt: skip
ADDRESS_CUE_WORDS = (
    "liv", "stay", "resid", "locat", "address", "alamat", "tinggal", "domisili",
)  # fmt: skip
NAMED_WORDS = ("nam", "known as", "alias")
CASE_NOUN_WORDS = ("victim", "survivor", "korban", "client", "girl", "boy", "woman", "man")


# The gates above, compiled (see ``_gate``).
ID_GATE = _gate(ID_WORDS)
BIRTH_GATE = _gate(BIRTH_WORDS)
AGE_GATES = (
    (AGE_EN, _gate(AGE_EN_WORDS)),
    (AGE_ID, _gate(AGE_ID_WORDS)),
    (AGE_TH, _gate(AGE_TH_WORDS)),
    (AGE_MORE, _gate(AGE_MORE_WORDS)),
)
CASE_GATE = _gate(CASE_WORDS)
ADDRESS_CUE_GATE = _gate(ADDRESS_CUE_WORDS)
NAMED_GATE = _gate(NAMED_WORDS)
CASE_NOUN_GATE = _gate(CASE_NOUN_WORDS)


def find_spans(text: str) -> list[Span]:
    """Every personal detail found in ``text``, in order, without overlaps."""
    if not text:
        return []
    found: list[Span] = []
    low = text.lower()
    if "@" in text:
        found += [Span("email", m.start(), m.end()) for m in EMAIL.finditer(text)]
    if ANY_DIGIT.search(text):
        found += _numbers(text, low)
        found += _ages(text, low)
        for pattern, gate in ADDRESS:
            if gate.search(text) or (pattern is PO_BOX and gate.search(low)):
                found += [Span("address", m.start(), m.end()) for m in pattern.finditer(text)]
        if ADDRESS_CUE_GATE.search(low):
            found += [Span("address", m.start(1), m.end()) for m in ADDRESS_CUE.finditer(text)]
        if "/" in text:
            found += [Span("case_number", m.start(), m.end()) for m in CASE_SHAPE.finditer(text)]
        if CASE_GATE.search(low):
            for m in CASE_NUMBER.finditer(text):
                start = m.start(m.lastindex) if m.lastindex else m.start()
                found.append(Span("case_number", start, m.end()))
    found += _names(text, low)
    return _without_overlaps(found)


def _numbers(text: str, low: str) -> list[Span]:
    spans: list[Span] = []
    for m in NUMBER_RUN.finditer(text):
        run = m.group(0).rstrip(" .-(")
        start, end = m.start(), m.start() + len(run)
        digits = sum(c.isdigit() for c in run)
        lead = run.lstrip("(").lstrip()
        plus = lead.startswith("+")
        if plus and 8 <= digits <= 15:
            spans.append(Span("phone", start, end))
        elif digits >= 12 and not lead.startswith("0"):
            spans.append(Span("id_number", start, end))
        elif (lead.startswith("0") and 9 <= digits <= 13 and not _looks_like_date(run)) or (
            7 <= digits <= 15 and PHONE_CUE.search(text, max(0, start - 30), start)
        ):
            spans.append(Span("phone", start, end))
        elif digits >= 6 and ID_CUE.search(text, max(0, start - 30), start):
            spans.append(Span("id_number", start, end))
    for m in PASSPORT.finditer(text):
        spans.append(Span("id_number", m.start(), m.end()))
    if "(" in text and "/" in text:
        for m in MYANMAR_NRC.finditer(text):
            spans.append(Span("id_number", m.start(), m.end()))
    if ID_GATE.search(low):
        for m in ID_AFTER_CUE.finditer(text):
            if sum(c.isdigit() for c in m.group(1)) >= 5:
                spans.append(Span("id_number", m.start(1), m.end(1)))
    return spans


def _looks_like_date(run: str) -> bool:
    parts = [p for p in re.split(r"[\s./-]+", run.strip("()")) if p]
    if len(parts) != 3:
        return False
    day_first = len(parts[0]) <= 2 and len(parts[1]) <= 2 and len(parts[2]) in (2, 4)
    year_first = len(parts[0]) == 4 and len(parts[1]) <= 2 and len(parts[2]) <= 2
    return day_first or year_first


def _ages(text: str, low: str) -> list[Span]:
    spans: list[Span] = []
    if BIRTH_GATE.search(low):
        spans += [Span("birth", m.start(1), m.end(1)) for m in BIRTH_DATE.finditer(text)]
    if "aged" in low:
        for m in NAME_AGED.finditer(text):
            word = m.group(1).lower()
            # With a comma ("Joseph, aged 14,") any word but a group or a title is a name.
            named = word in LATIN_GIVEN_NAMES or (
                m.group(2) == "," and word not in GROUP_WORDS | NOT_NAMES | LEGAL_WORDS
            )
            if named:
                spans.append(Span("name", m.start(1), m.end(1)))
                spans.append(Span("birth", m.start(3), m.end(3)))
    if "tahun" in low or "thn" in low:
        spans += [Span("birth", m.start(1), m.end(1)) for m in AGE_ID_BARE.finditer(text)]
    for pattern in (p for p, gate in AGE_GATES if gate.search(low)):
        for m in pattern.finditer(text):
            group = (
                next(i for i in range(1, (m.lastindex or 0) + 1) if m.group(i))
                if (m.lastindex)
                else 0
            )
            spans.append(Span("birth", m.start(group), m.end(group)))
    for m in AGE_PAREN.finditer(text) if "(" in text else ():
        word = WORD_BEFORE.search(text, max(0, m.start() - 30), m.start())
        before = word.group(0).strip() if word else ""
        lowered = before.lower()
        if before and lowered not in LEGAL_WORDS | NOT_NAMES and not before.islower():
            if ANY_THAI.match(before):
                if not _thai_name_like(before):
                    continue  # "ข้อเสนอแนะ (3)": a numbered point, not a person's age
                # "มาลี (16)", "น้องแก้ว (15)": the name too, without its cue.
                end = word.start() + len(before) if word else m.start()
                cue = next((c for c in THAI_NAME_CUES if before.startswith(c)), "")
                spans.append(Span("name", end - len(before) + len(cue), end))
            spans.append(Span("birth", m.start(), m.end()))
    return spans


THAI_NAME_CUES = (
    "นางสาว",
    "นาง",
    "นาย",
    "เด็กหญิง",
    "เด็กชาย",
    "ด.ญ.",
    "ด.ช.",
    "น.ส.",
    "น้อง",
    "ชื่อ",
    "คุณ",
)


def _thai_name_like(word: str) -> bool:
    """A Thai word before "(16)" that says a person: a cue then a name, or a given name."""
    return word.startswith(THAI_NAME_CUES) or word.endswith(THAI_GIVEN_NAMES)


def _names(text: str, low: str) -> list[Span]:
    spans: list[Span] = []
    for m in HONORIFIC_NAME.finditer(text):
        if m.group(1).split()[0].lower() not in NOT_NAMES:
            spans.append(Span("name", m.start(1), m.end(1)))
    for m in NAMED.finditer(text) if NAMED_GATE.search(low) else ():
        if m.group(1).split()[0].lower() not in NOT_NAMES:
            spans.append(Span("name", m.start(1), m.end(1)))
    for m in CALLED.finditer(text) if "called" in low else ():
        if m.group(1).split()[0].lower() in LATIN_GIVEN_NAMES:
            spans.append(Span("name", m.start(1), m.end(1)))
    if "thi" in low:
        spans += [Span("name", m.start(), m.end()) for m in VIET_NAME.finditer(text)]
    if ANY_THAI.search(text):
        spans += _thai_names(text)
    if "(" in text or "," in text:
        for m in NAME_WITH_AGE.finditer(text):
            words = m.group(1).lower().split()
            if any(w in NOT_NAMES for w in words):
                continue
            if len(words) > 1 or words[0] in LATIN_GIVEN_NAMES:
                spans.append(Span("name", m.start(1), m.end(1)))
                age = next(i for i in (2, 3, 4) if m.group(i))
                spans.append(Span("birth", m.start(age), m.end(age)))
    if CASE_NOUN_GATE.search(low):
        for m in CASE_NOUN_NAME.finditer(text):
            if not any(w in NOT_NAMES for w in m.group(1).lower().split()):
                spans.append(Span("name", m.start(1), m.end(1)))
    given = [m for m in CAPITALISED.finditer(text) if m.group(0).lower() in LATIN_GIVEN_NAMES]
    if given and CASE_CONTEXT.search(text):
        spans += [Span("name", m.start(), _name_end(text, m.end())) for m in given]
    return spans


def _thai_names(text: str) -> list[Span]:
    found = [
        (m.start(1), m.end(1))
        for pattern in (THAI_ABBREV_NAME, THAI_NAME)
        for m in pattern.finditer(text)
    ]
    found += [
        (m.start(1), m.end(1))
        for m in THAI_STRONG_NAME.finditer(text)
        if not m.group(1).startswith(NOT_NAME_STARTS)
    ]
    found += [
        (m.start(1), m.end(1))
        for m in THAI_NAI_NANG.finditer(text)
        if not m.group(1).startswith(NOT_THAI_NAMES)
    ]
    if "น้อง" in text:
        found += [
            (m.start(1), m.end(1))
            for m in THAI_NICKNAME_AGE.finditer(text)
            if m.group(1) not in ("สาว", "ชาย", "ๆ")  # a younger sister or brother
        ]
    spans = []
    for start, end in found:
        surname = THAI_SURNAME.match(text, end)
        if surname is not None and not surname.group(1).startswith(NOT_SURNAMES):
            end = surname.end()
        spans.append(Span("name", start, end))
    return spans


def _name_end(text: str, end: int) -> int:
    """Takes in up to two following capitalised words (a second and a family name)."""
    for _ in range(2):
        follow = FOLLOWING_NAME.match(text, end)
        if follow is None or follow.group(0).strip().lower() in NOT_NAMES:
            break
        end = follow.end()
    return end


def _without_overlaps(spans: list[Span]) -> list[Span]:
    """Keeps the earliest, then longest, of overlapping spans."""
    spans.sort(key=lambda s: (s.start, -(s.end - s.start)))
    kept: list[Span] = []
    for span in spans:
        if span.end <= span.start:
            continue
        if kept and span.start < kept[-1].end:
            if span.end > kept[-1].end and span.kind == kept[-1].kind:
                kept[-1] = Span(span.kind, kept[-1].start, span.end)
            continue
        kept.append(span)
    return kept
