"""Hand-built Datasets and an exact-id PersonIndex for the rule tests (tests only).

The real index comes from matching.resolve; here a person is simply "everyone
with this normalised number", and a test can attach any record to any person
with a chosen probability to stand in for a fuzzy link.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from hecha import idnumber
from hecha.contract import PERSON_COLUMNS, SOURCES
from hecha.dataset import Dataset
from hecha.index import LINK_COLUMNS, RECORD_COLUMNS, PersonIndex
from hecha.policy import Policy, load_policy

COUNTY = "429006"
VILLAGE = "429006101201"  # rural village (201)
TOWN_COMMUNITY = "429006101101"  # urban community (101)


def pid(n: int, birth: str = "19600101", sex: str = "M") -> str:
    """A valid 18-digit number for person n (odd sequence for men, even for women)."""
    seq = n * 2 + (1 if sex == "M" else 0)
    first17 = f"{COUNTY}{birth}{seq:03d}"
    return first17 + idnumber.check_char(first17)


def frame(source: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A source frame shaped as ingestion shapes it (canonical columns, _row, id status, dates)."""
    spec = SOURCES[source]
    df = pd.DataFrame(rows, columns=[*spec.column_names]) if rows else pd.DataFrame(columns=spec.column_names)
    df.insert(0, "_row", range(2, len(df) + 2))
    for col in spec.columns:
        if col.kind == "id":
            norm = [idnumber.normalise(v) for v in df[col.name]]
            df[f"{col.name}_raw"] = df[col.name]
            df[col.name] = [n for n, _ in norm]
            df[f"{col.name}_status"] = [s for _, s in norm]
        elif col.kind == "date":
            df[col.name] = pd.to_datetime(df[col.name])
        elif col.kind in ("money", "number"):
            df[col.name] = pd.to_numeric(df[col.name]).astype(float)
        elif col.kind == "disability_level":
            df[col.name] = pd.to_numeric(df[col.name]).fillna(0).astype(int)
    return df


def standard_rows(dibao_rural: float = 450, dibao_urban: float = 630) -> list[dict[str, Any]]:
    return [
        {
            "region_code": COUNTY,
            "program": "dibao_rural",
            "effective_from": "2026-01-01",
            "monthly_amount": dibao_rural,
        },
        {
            "region_code": COUNTY,
            "program": "dibao_urban",
            "effective_from": "2026-01-01",
            "monthly_amount": dibao_urban,
        },
        {"region_code": COUNTY, "program": "tekun", "effective_from": "2026-01-01", "monthly_amount": 750},
        {"region_code": COUNTY, "program": "disability_living", "effective_from": "2026-01-01", "monthly_amount": 50},
        {"region_code": COUNTY, "program": "disability_care", "effective_from": "2026-01-01", "monthly_amount": 100},
        {"region_code": COUNTY, "program": "orphan", "effective_from": "2026-01-01", "monthly_amount": 1260},
        {
            "region_code": COUNTY,
            "program": "elderly_allowance",
            "effective_from": "2026-01-01",
            "monthly_amount": 50,
            "min_age": 80,
        },
        {
            "region_code": COUNTY,
            "program": "elderly_allowance",
            "effective_from": "2026-01-01",
            "monthly_amount": 1000,
            "min_age": 100,
        },
    ]


def roll_row(
    household: str, name: str, number: str, program: str = "dibao_rural", amount: float = 300, **extra: Any
) -> dict[str, Any]:
    row = {
        "period": "2026-10",
        "program": program,
        "household_id": household,
        "name": name,
        "id_number": number,
        "relation": "户主",
        "region_code": VILLAGE,
        "town": "竟陵街道",
        "village": "东湖村",
        "amount": amount,
        "enrolled_date": "2025-01-15",
        "bank_account": f"62170000{number[-6:]}",
    }
    row.update(extra)
    return row


def registry_row(hukou: str, name: str, number: str, relation: str = "户主", **extra: Any) -> dict[str, Any]:
    birth = idnumber.decode(number)
    row = {
        "hukou_id": hukou,
        "name": name,
        "id_number": number,
        "relation": relation,
        "birth_date": str(birth.birth_date) if birth else None,
        "region_code": VILLAGE,
    }
    row.update(extra)
    return row


def dataset(period: str = "2026-10", **sources: list[dict[str, Any]]) -> Dataset:
    """A Dataset from row dicts; required sources default to a registry built from the roll and standard rows."""
    sources.setdefault("standards", standard_rows())
    if "household_registry" not in sources:
        seen: dict[str, dict[str, Any]] = {}
        for r in sources.get("roll", []):
            if r["id_number"] and r["id_number"] not in seen:
                seen[r["id_number"]] = registry_row("H" + r["household_id"], r["name"], r["id_number"], r["relation"])
        sources["household_registry"] = list(seen.values())
    sources.setdefault("roll", [])
    frames = {name: frame(name, rows) for name, rows in sources.items()}
    absent = [s for s in SOURCES if s not in frames]
    return Dataset(county=COUNTY, period=period, folder=Path("."), frames=frames, absent=absent)


def exact_index(ds: Dataset, attach: dict[tuple[str, int], tuple[str, float]] | None = None) -> PersonIndex:
    """Persons by exact normalised number; `attach[(source, row)] = (number, probability)` forces a fuzzy link."""
    attach = attach or {}
    records = []
    for source, df in ds.frames.items():
        if source not in PERSON_COLUMNS:
            continue
        name_col, id_col = PERSON_COLUMNS[source]
        for _, r in df.iterrows():
            key = (source, int(r["_row"]))
            number = r[id_col] if isinstance(r[id_col], str) else ""
            prob = 1.0
            person = number if r[f"{id_col}_status"] in ("valid", "upgraded") else ""
            if key in attach:
                person, prob = attach[key]
            decoded = idnumber.decode(person) if person else None
            records.append(
                {
                    "source": source,
                    "row": key[1],
                    "person_id": "P" + person if person else f"X{source}{key[1]}",
                    "name": r[name_col],
                    "name_norm": r[name_col],
                    "name_sound": "",
                    "id_number": number,
                    "id_status": r[f"{id_col}_status"],
                    "id_resolved": person,
                    "birth_date": pd.Timestamp(decoded.birth_date) if decoded else pd.NaT,
                    "sex": pd.NA,
                    "region_code": r.get("region_code", pd.NA),
                    "link_probability": prob,
                }
            )
    rec = pd.DataFrame(records, columns=RECORD_COLUMNS)
    links = []
    for _, grp in rec.groupby("person_id"):
        items = grp.to_dict("records")
        for i, a in enumerate(items):
            for b in items[i + 1 :]:
                p = min(a["link_probability"], b["link_probability"])
                links.append(
                    {
                        "source_l": a["source"],
                        "row_l": a["row"],
                        "source_r": b["source"],
                        "row_r": b["row"],
                        "probability": p,
                        "fuzzy": p < 1.0,
                        "agreement": {"id": "exact" if p == 1.0 else "none", "name": "exact"},
                        "evidence_zh": "身份证号一致" if p == 1.0 else "无身份证号；姓名一致；年龄相符",
                    }
                )
    return PersonIndex(records=rec, links=pd.DataFrame(links, columns=LINK_COLUMNS))


def policy() -> Policy:
    return load_policy()
