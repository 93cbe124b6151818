"""Given names common in the region, for spotting a person's name in a case story.

A name alone is not enough to flag (checklists rarely name anyone, but "Made" and "Dara"
are words too): the detector asks for a name *and* a cue that a case is being told
(an honorific, "named", a victim, an age). Words that are also ordinary English,
Indonesian or Thai words are left out on purpose. Lower-case for Latin script.
"""

from __future__ import annotations

LATIN_GIVEN_NAMES = frozenset(
    """
    siti dewi ayu putri rina wati sari indah fitri yuni lestari ratna nurul budi agus joko
    bambang eko rudi andi wayan ketut nyoman kadek komang yanti susanti rahayu wulan kartini
    ani tuti endang sulastri suryani aminah fatimah aisyah khadijah zainab yusuf ahmad
    muhammad rizky dimas fajar hendra irfan slamet sutrisno wahyu yohana yuliana novi
    lina citra maya dian intan rini tini sumiati sumarni juminten marsini
    somchai somsak somsri somying malee nittaya siriporn pranee kanya wanida sunisa
    supaporn ratana araya pim ploy noi nong lek dao kanokwan jintana boonmee thongdee
    wichai surachai prasert anan chaiwat niran pornthip orathai pimchanok sasithorn
    aung kyaw thida mya zaw htet thandar khin hla nilar moe thet phyu yadanar
    nguyen tran thi linh huong thuy phuong hoa lan ngoc trang hien duong minh tuan
    sokha sophea chenda srey sreymom sokhom vanna bopha kunthea chantha dara channy
    maria jose juan rosa marites jocelyn maricel rowena lorna analyn jessa rhea
    cristina jennifer mary john sarah anna elena fatima aisha nadia amina layla ana
    aye nwe hnin zin myat nandar sandar chit
    """.split()  # noqa: SIM905
)

# Thai-script given names (with no spaces between words, they are matched as prefixes
# after an honorific or "ชื่อ").
THAI_GIVEN_NAMES = tuple(
    """
    สมชาย สมศรี สมหญิง สมศักดิ์ สมพร สมปอง สมบัติ มาลี นิตยา ศิริพร ปราณี กัญญา วนิดา
    สุนิสา สุภาภรณ์ รัตนา อารยา พิมพ์ พลอย น้อย นงนุช กนกวรรณ จินตนา บุญมี ทองดี ทองใบ
    วิชัย สุรชัย ประเสริฐ อนันต์ ชัยวัฒน์ นิรันดร์ พรทิพย์ อรทัย พิมพ์ชนก ศศิธร สุดา วันดี
    อรุณี จันทร์เพ็ญ ธนพร ปิยะ สุนทร วิไล อำไพ ลำดวน บัวผัน บุญชู บุญเรือน เพ็ญศรี มณี
    ดวงใจ ดวงพร อัมพร อุไร สายสุนีย์ ลัดดา บุษบา ประภา ปัทมา สุภาพ นภา นันทนา เยาวลักษณ์
    จันทร์ ผ่องศรี สุรีย์ วาสนา ละเอียด คำ ทองคำ แสงเดือน มะลิ อ้อย ปุ๋ย แพรวา ณัฐ ชลธิชา
    """.split()  # noqa: SIM905
)

# Words that follow an honorific but are titles or places, not names.
NOT_NAMES = frozenset(
    """
    kota negara menteri presiden gubernur bupati walikota kepala direktur hakim jaksa polisi
    ketua guru dokter rumah pertiwi chair chairperson president minister speaker secretary
    justice judge director ambassador protection support identification assistance services
    centre center fund care act law unit process protocol convention plan article section
    tier group phase perdagangan orang trafficking rights national regional ministry
    department office task force
    """.split()  # noqa: SIM905
)
