"""The hand-written multilingual concept lexicon for victim-protection workshops.

Each line of ``_TABLE`` is ``concept_id = label: term | term | …``; a line that starts with ``|``
carries more terms of the concept above. Labels are short English names used in the reasons shown
to facilitators; terms are in English, Bahasa Indonesia and Thai. A term is a word, a phrase of
words (matched on consecutive tokens), or a stem ending in ``*`` (matched as a prefix). Thai terms
are matched inside unspaced Thai text by longest match. A term may name several concepts when one
phrase carries two ideas (``debt bondage`` is both debt and forced labour): list it under each.

``CONTRASTS`` are concept pairs that tell look-alikes apart: two items that differ on one of them
("trafficking indicators" / "smuggling indicators") are not the same point however much else they
share.
"""

from __future__ import annotations

_TABLE = """
protection = protection: protect* | perlindungan | melindungi | lindungi | คุ้มครอง | ปกป้อง
victim = victims: victim* | survivor* | trafficked person* | korban | penyintas | ผู้เสียหาย
    | ผู้รอดชีวิต | เหยื่อ
perpetrator = traffickers: trafficker* | perpetrator* | offender* | exploiter* | the accused
    | pelaku | ผู้กระทำผิด | ผู้ค้ามนุษย์
child = children: child* | minor | minors | kid | kids | juvenile* | anak | ผู้เยาว์ | เด็ก
adult = adults: adult* | grown up* | grownup* | dewasa | ผู้ใหญ่
male = men and boys: men | man | male | males | boy | boys | laki | pria | ผู้ชาย | ชาย
female = women and girls: women | woman | female* | girl | girls | perempuan | wanita | ผู้หญิง
    | หญิง
migrant = migrants: migrant* | migration | imigran | migran | pendatang | ผู้อพยพ
    | แรงงานข้ามชาติ | ข้ามชาติ
worker = workers: worker* | labour | labor | buruh | pekerja | tenaga kerja | แรงงานข้ามชาติ
    | แรงงาน | ลูกจ้าง
officer = officials: officer* | official* | frontline | front line | petugas | aparat
    | เจ้าหน้าที่
police = police: police | policing | law enforcement | polisi | kepolisian | ตำรวจ
immigration = immigration: immigration | immigration offen* | imigrasi | rudenim | ตม
    | ตรวจคนเข้าเมือง | เข้าเมือง
border = borders: border* | checkpoint* | frontier* | perbatasan | ชายแดน | ด่าน
inspection = inspection: inspect* | pengawas* | pemeriksaan | ตรวจแรงงาน | พนักงานตรวจแรงงาน
    | ตรวจ
prosecution = prosecution: prosecut* | conviction* | convict* | jaksa | penuntut* | dituntut
    | อัยการ | ดำเนินคดี | ฟ้อง
social_worker = social workers: social worker* | social welfare | caseworker* | pekerja sosial
    | dinas sosial | นักสังคมสงเคราะห์
ngo = NGOs: ngo | ngos | civil society | lsm | องค์กรพัฒนาเอกชน | เอ็นจีโอ
employer = employers: employer* | majikan | pemberi kerja | นายจ้าง
recruitment = recruiters: recruit* | broker* | recruitment agenc* | calo | agen | perekrut*
    | direkrut | merekrut | นายหน้า | จัดหางาน
family = families: famil* | relative* | parent* | keluarga | orang tua | ครอบครัว | ญาติ
government = government: government | govern* | ministr* | pemerintah | kementerian | รัฐบาล
    | กระทรวง
trafficking = trafficking: trafficking | trafficked | traffick | tip | human trafficking
    | trafficked person* | trafficking in persons | perdagangan orang | perdagangan manusia
    | tppo | การค้ามนุษย์ | ค้ามนุษย์
smuggling = smuggling: smuggl* | penyelundupan | diselundupkan | menyelundupkan | penyelundup
    | ลักลอบขนคน | ลักลอบ
irregular = irregular status: illegal* | irregular* | undocumented | unlawful* | ilegal | gelap
    | tidak berdokumen | ผิดกฎหมาย | หลบหนีเข้าเมือง
exploitation = exploitation: exploit* | eksploitasi | แสวงประโยชน์ | แสวงหาประโยชน์
sexual = sexual exploitation: sexual* | sex | prostitut* | seksual | prostitusi | ทางเพศ
    | ค้าประเวณี
forced_labour = forced labour: forced labour | forced labor | forced work | bondage | bonded
    | debt bondage | kerja paksa | jeratan utang | terjerat utang | แรงงานบังคับ
    | บังคับใช้แรงงาน
debt = debt: debt* | utang | hutang | berutang | terjerat utang | jeratan utang | debt bondage
    | หนี้
fishing = fishing: fish* | seafood | nelayan | kapal ikan | perikanan | ประมง | เรือประมง
vessel = boats: vessel* | boat* | ship* | on board | kapal | เรือ | เรือประมง
crew = crew: crew* | awak | ลูกเรือ
captain = captains: captain* | skipper* | nahkoda | nakhoda | kapten | ไต้ก๋ง
port = ports: port | ports | harbour* | harbor* | pelabuhan | ท่าเรือ
sea = the sea: sea | maritime | at sea | laut | ทะเล | กลางทะเล
domestic_work = domestic work: domestic work* | private home* | household*
    | pekerja rumah tangga | prt | แม่บ้าน | ทำงานบ้าน
entertainment = entertainment venues: karaoke* | massage* | bar | bars | entertainment
    | nightclub* | tempat hiburan | สถานบันเทิง
online = online abuse: online | internet | livestream* | cyber* | daring | ออนไลน์
construction = construction: construction | bangunan | ก่อสร้าง
identification = identification: identif* | screen* | recognis* | recogniz* | detect*
    | identifikasi | mengidentifikasi | mengenali | penyaringan | คัดแยก | คัดกรอง | ระบุตัว
indicator = indicators: indicator* | sign | signs | warning sign* | tanda | indikator
    | ข้อบ่งชี้ | สัญญาณ
interview = interviews: interview* | question* | wawancara* | diwawancarai | pertanyaan
    | สัมภาษณ์ | คำถาม
interpreter = interpreters: interpret* | translat* | penerjemah* | juru bahasa | ล่าม | แปล
language = languages: language* | multilingual | bahasa | ภาษา | หลายภาษา
multidisciplinary = joint teams: multidisciplinary | multi disciplinary | joint | multi agency
    | terpadu | สหวิชาชีพ
referral = referral: referral* | refer | referring | referred | nrm | rujukan | merujuk
    | dirujuk | ส่งต่อ
procedure = procedures: sop | sops | procedure* | standard operating | prosedur | ขั้นตอน
    | แนวปฏิบัติ
guidance = guidance: guid* | manual* | pedoman | panduan | คู่มือ | แนวทาง
training = training: train | trained | training | trainings | capacity building | pelatihan
    | dilatih | melatih | อบรม | ฝึกอบรม
hotline = hotlines: hotline* | helpline* | call centre | call center | saluran siaga | สายด่วน
checklist = checklists: checklist* | card | cards | leaflet* | one page | daftar periksa
    | แบบตรวจ
self_identification = self-identification: self identify | self identification | see themselves
    | menyadari | ไม่รู้ตัว
age = age: age | ages | aged | usia | umur | อายุ
arrival = arrivals: arrival* | landing | kedatangan | ขึ้นฝั่ง
individual = individual interviews: individual* | one by one | satu per satu | รายบุคคล
shelter = shelters: shelter* | safe house* | safehouse* | bed | beds | dormitor* | rumah aman
    | rumah perlindungan | penampungan | rumah singgah | tempat tinggal | บ้านพัก | สถานคุ้มครอง
    | ที่พักพิง | ที่พัก
health = health care: health* | medic* | hospital* | doctor* | clinic* | sti | reproductive
    | kesehatan | medis | rumah sakit | dokter | สุขภาพ | รักษาพยาบาล | โรงพยาบาล | แพทย์
psychological = psychological support: psycholog* | psychosocial | mental health | mental
    | psikolog* | psikososial | จิตวิทยา | จิตสังคม | สุขภาพจิต | นักจิตวิทยา
counselling = counselling: counsel* | therap* | konseling | terapi | ให้คำปรึกษา
trauma = trauma: trauma* | บาดแผลทางใจ
legal_aid = legal aid: legal aid | lawyer* | legal counsel* | legal assistance | legal advice
    | attorney* | bantuan hukum | pendampingan hukum | pengacara | advokat
    | ความช่วยเหลือทางกฎหมาย | ทนายความ | ทนาย
free_of_charge = free services: free | free of charge | without charge | gratis | cuma cuma
    | ไม่เสียค่าใช้จ่าย | ฟรี
movement = freedom of movement: free to | freely | freedom | come and go | movement
    | keluar masuk | bebas | เสรีภาพ
security = security: security | guard* | secure | keamanan | penjaga | รักษาความปลอดภัย
threat = threats: threat* | intimidat* | terancam | ancaman | ข่มขู่
safety = safety: safe | safely | safety | unsafe | risk* | aman | risiko | resiko | ปลอดภัย
    | ความเสี่ยง
detention = detention: detain* | detention | jail* | imprison* | prison* | police cell*
    | ditahan | penahanan | rudenim | tahanan | กักตัว | ควบคุมตัว | จำคุก | ห้องกัก
offence = offences: crime | crimes | criminal* | offence* | offense* | immigration offen*
    | kejahatan | pidana | tindak pidana | อาชญากรรม | ความผิด | ข้อหา
punishment = punishment: punish* | penalis* | penaliz* | sanction* | dihukum | hukuman | sanksi
    | ลงโทษ
reflection = reflection period: reflection* | recovery period | masa pemulihan | masa refleksi
    | ระยะเวลาฟื้นฟู | ไตร่ตรอง
cooperation = cooperation with authorities: cooperat* | co operat* | give evidence
    | giving evidence | kerja sama | bekerja sama | ให้ความร่วมมือ
testimony = testimony: testif* | testimon* | witness* | saksi | bersaksi | kesaksian | พยาน
    | ให้การ
video = video testimony: video* | video link | remote | recorded | closed hearing* | in camera
    | separate room | telekonferensi | วิดีโอ | วีดิทัศน์
court = courts: court* | trial* | hearing* | judicial | judge* | proceeding* | sidang
    | pengadilan | peradilan | hakim | ศาล
case = cases: case | cases | kasus | perkara | คดี
compensation = compensation: compensat* | damages | restitution | ganti rugi | restitusi
    | kompensasi | ค่าสินไหมทดแทน | ค่าชดเชย | เยียวยา
wages = unpaid wages: wage* | salar* | back pay | unpaid | upah | gaji | ค่าแรง | ค่าจ้าง
    | ค้างจ่าย
guardian = guardians: guardian* | wali | perwalian | ผู้ปกครอง | ผู้พิทักษ์
unaccompanied = unaccompanied children: unaccompanied | separated | tanpa pendamping
    | tidak didampingi | ไม่มีผู้ติดตาม | พลัดหลง
education = schooling: school* | educat* | sekolah | pendidikan | โรงเรียน | การศึกษา | เรียน
privacy = privacy of personal data: personal data | privacy | confidential* | identity
    | anonymi* | encrypt* | data pribadi | kerahasiaan | rahasia | ข้อมูลส่วนบุคคล | ความลับ
work_permit = work permits: work permit* | work authori* | right to work | izin kerja
    | ijin kerja | ใบอนุญาตทำงาน
residence_permit = residence permits: residence | residency | visa* | izin tinggal
    | ijin tinggal | permanent stay | settle* | วีซ่า | อยู่ในราชอาณาจักร | ถิ่นที่อยู่
temporary = temporary status: temporar* | bridging | sementara | ชั่วคราว
employment = employment: work | working | job | jobs | employment | earn* | bekerja | pekerjaan
    | ทำงาน | งาน
return = return: return | returns | returned | returning | returnee* | repatriat* | go home
    | going home | journey home | sent back | send back | pemulangan | dipulangkan | pulang
    | kembali | ส่งกลับ | กลับบ้าน | กลับภูมิลำเนา
reintegration = reintegration: reintegrat* | reintegrasi | คืนสู่สังคม | กลับคืนสู่สังคม
    | กลับคืนสู่ชุมชน
consent = informed consent: consent* | voluntar* | agree | agreeing | choice* | option*
    | persetujuan | setuju | sukarela | pilihan | ยินยอม | สมัครใจ | ทางเลือก
tracing = family tracing: tracing | trace | pelacakan | penelusuran | สืบหา
assessment = assessment: assess* | penilaian | ประเมินความเสี่ยง | ประเมิน
vocational = vocational training: vocational* | skill* | livelihood* | vocational training
    | keterampilan | ketrampilan | ฝึกอาชีพ
capital = start-up support: capital | small grant* | start up | microcredit | micro credit
    | modal | modal usaha | ทุนประกอบอาชีพ
followup = follow-up: follow* | track* | case management | ติดตาม | pemantauan | memantau
long_term = long-term: long term | jangka panjang | ระยะยาว
stigma = stigma: stigma* | discriminat* | shame | dikucilkan | ตีตรา
community = communities: communit* | masyarakat | komunitas | ชุมชน
awareness = awareness: awareness | sensitis* | kesadaran | sosialisasi | สร้างความเข้าใจ
    | รณรงค์
retrafficking = re-trafficking: re traffick* | retraffick* | direkrut lagi | ถูกค้ามนุษย์ซ้ำ
travel = travel: travel* | journey* | ticket* | perjalanan | เดินทาง
document = documents: passport* | document* | papers | dokumen | paspor | หนังสือเดินทาง
    | เอกสาร
embassy = embassies: embass* | consul* | kedutaan | konsulat | สถานทูต
third_country = third-country resettlement: third country | resettle* | negara ketiga
    | ประเทศที่สาม
cost = costs: cost | costs | fee | fees | expens* | biaya | ค่าใช้จ่าย | เรียกเก็บเงิน
actip = ACTIP: actip | asean convention | konvensi asean | อนุสัญญาอาเซียน
asean = ASEAN: asean | acwc | อาเซียน
un = UN instruments: un | united nations | palermo | pbb | สหประชาชาติ
bali_process = the Bali Process: bali | rso | regional support office
oecd = OECD: oecd
ratification = ratification: ratif* | accede | accession | ratifikasi | ภาคยานุวัติ
    | ให้สัตยาบัน
law = national law: law | laws | legislat* | legal framework | undang undang | hukum | peraturan
    | กฎหมาย
national = national level: national* | nationwide | domestic | nasional | แห่งชาติ
action_plan = national action plans: action plan* | national plan* | rencana aksi
    | แผนปฏิบัติการ
regional = regional cooperation: region* | cross border | bilateral | kawasan | regional
    | ภูมิภาค | ข้ามพรมแดน
agreement = bilateral agreements: mou | mous | memorand* | agreement* | perjanjian | kesepakatan
    | nota kesepahaman | บันทึกความเข้าใจ | ข้อตกลง | ความตกลง
data = data: data | statistic* | figures | disaggregat* | dipilah | statistik | ข้อมูล | สถิติ
funding = funding: fund | funds | funding | budget* | financ* | donor* | anggaran | dana
    | pendanaan | งบประมาณ
sustainability = sustainable funding: sustainab* | stable | berkelanjutan | ยั่งยืน
participation = survivor participation: participat* | involve* | take part | advisory
    | partisipasi | melibatkan | มีส่วนร่วม
policy = policy: policy | policies | kebijakan | นโยบาย
evaluation = evaluation: evaluat* | review | reviews | reviewing | monitor* | impact | outcome*
    | measur* | evaluasi | menilai | ประเมินผล | ประเมิน
peer_review = peer review: peer* | peer review | sejawat
independent = independence: independen* | independen | อิสระ
pilot = piloting: pilot* | uji coba | percontohan | นำร่อง | test | scaling | roll out
    | rolling out
transfer = transferring practices: transfer* | borrow* | adapt* | copy* | copying | replicat*
    | adaptasi | ปรับใช้
tier1 = Tier 1 practice: tier | tier one
supply_chain = supply chains: supply chain* | due diligence | rantai pasok
business = business: compan* | business* | perusahaan | บริษัท | ธุรกิจ
gender = gender: gender* | เพศสภาพ
burmese = Burmese speakers: burmese | myanmar | พม่า
khmer = Khmer speakers: khmer | cambodia* | กัมพูชา | เขมร
lao = Lao speakers: lao | laos | ลาว
accompaniment = accompaniment: accompan* | escort* | handed over | hand over | handover
    | didampingi | mendampingi | pendamping
before = before: before | prior | sebelum | ก่อน
after = after: after | following | setelah | sesudah | หลังจาก | หลัง
"""

CONTRASTS: tuple[tuple[str, str], ...] = (
    ("trafficking", "smuggling"),
    ("child", "adult"),
    ("child", "male"),
    ("male", "female"),
    ("victim", "perpetrator"),
    ("identification", "prosecution"),
    ("sexual", "forced_labour"),
    ("sexual", "fishing"),
    ("fishing", "domestic_work"),
    ("data", "privacy"),
    ("actip", "un"),
    ("before", "after"),
)


def word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words too common in this domain's sentences to tell items apart.
STOP_WORDS: dict[str, frozenset[str]] = {
    "en": word_set(
        """
        a about again all also an and any are as at be because been being both but by can could
        did do does done down during e each eg either etc even every few for from further g get
        gets got had has have having he her here his how i if in into is it its just like made
        make makes many may me might more most much must my need needed needs neither new no
        nor not of off on once one ones only onto or other our out over own per same shall she
        should since so some still such than that the their them then there these they this
        those to too under until up us use used using very via was we were what when where
        whether which while who whom whose why will with without would yet you your
        """
    ),
    "id": word_set(
        """
        ada adalah agar akan antara atas atau bagi bahwa banyak belum bisa boleh bukan dalam
        dan dapat dari dengan di hanya harus hingga ini itu jangan jika juga kami karena ke
        ketika khusus kita lain lebih masih menjadi mereka namun oleh pada para perlu pun saat
        sambil sangat sebagai secara sehingga sejak semua sendiri seperti serta setiap sudah
        supaya tanpa telah tentang terhadap termasuk tersebut tetapi tidak untuk yaitu yang
        """
    ),
    "th": word_set(
        """
        กัน กับ การ ของ คน ควร ความ จะ จาก จึง ช่วย ซึ่ง ตั้งแต่ ต่อ ต้อง ถูก ทั้ง ที่ ทุก นั้น
        นี้ พร้อม มัก มา มี ยัง ระหว่าง ว่า สำหรับ หน่วยงาน หรือ อยู่ อย่าง เช่น เปลี่ยนแปลง
        เป็น เพื่อ เหมือน แก่ แต่ แยก และ แล้ว โดย ใช้ ใน ให้ ได้ ไป ไม่
        """
    ),
}


def parse_table(table: str) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(concept id, label, terms) for each concept of a table in the format above."""
    concepts: list[tuple[str, str, list[str]]] = []
    for raw in table.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("|"):
            if not concepts:
                raise ValueError(f"lexicon: continuation before any concept: {line!r}")
            concepts[-1][2].extend(_split_terms(line[1:]))
            continue
        head, sep, terms = line.partition(":")
        cid, eq, label = head.partition("=")
        if not (sep and eq):
            raise ValueError(f"lexicon: expected 'id = label: terms', got {line!r}")
        concepts.append((cid.strip(), label.strip(), _split_terms(terms)))
    return tuple((cid, label, tuple(terms)) for cid, label, terms in concepts)


def _split_terms(text: str) -> list[str]:
    return [term.strip() for term in text.split("|") if term.strip()]


CONCEPTS = parse_table(_TABLE)
