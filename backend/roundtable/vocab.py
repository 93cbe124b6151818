"""Fixed vocabularies and the default theme template (the 2014 roundtable's programme)."""

from __future__ import annotations

ACTORS: dict[str, str] = {
    "government": "Government",
    "law_enforcement": "Law enforcement",
    "immigration": "Immigration and border",
    "labour_inspection": "Labour inspection",
    "health": "Health services",
    "social_services": "Social services",
    "judiciary": "Judiciary and prosecution",
    "civil_society": "Civil society",
    "international_organisations": "International organisations",
    "private_sector": "Private sector",
    "survivors": "Survivors",
}

# (key, label, description, sub-themes as (key, label))
DEFAULT_THEMES: list[tuple[str, str, str, list[tuple[str, str]]]] = [
    (
        "regional_frameworks",
        "Regional frameworks",
        "How regional and international arrangements shape victim protection.",
        [("bali_process", "Bali Process"), ("asean", "ASEAN"), ("oecd", "OECD")],
    ),
    (
        "identification",
        "Identification of victims",
        "Telling trafficking from smuggling, and finding victims early.",
        [
            ("smuggling_vs_trafficking", "Smuggling and trafficking"),
            ("identification_challenges", "Challenges in identification"),
            ("identification_practices", "Good identification practices"),
        ],
    ),
    (
        "protection",
        "Protection needs",
        "What victims need, by form of exploitation and age.",
        [
            ("sexual_exploitation", "Sexual exploitation"),
            ("forced_labour", "Forced labour"),
            ("children", "Children"),
        ],
    ),
    (
        "durable_solutions",
        "Durable solutions",
        "Safe return, reintegration and options beyond return.",
        [
            ("repatriation", "Repatriation"),
            ("reintegration", "Reintegration"),
            ("beyond_repatriation", "Solutions beyond repatriation"),
        ],
    ),
    (
        "tier1_practices",
        "Specific needs and Tier 1 practices",
        "Practices from countries rated Tier 1 and the specific needs they answer.",
        [],
    ),
    (
        "evaluation",
        "Evaluation and transferability",
        "Measuring whether protection works, and carrying practices across borders.",
        [],
    ),
]

THEME_KEY_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
