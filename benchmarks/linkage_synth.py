"""A noisy synthetic county for the linkage benchmarks, fast enough for 1M people.

Used when the project generator (sample.generate) is absent and always for
the 1M scale run. Every person-bearing row carries `_truth` (the person's true
number, or an outsider's key) so pairwise precision and recall can be counted.
Noise follows the data contract: one wrong digit, legacy 15-digit numbers,
lowercase x / full-width / spaces, traditional characters, same-sound
characters, missing numbers, cremation records with only an age, common names
shared by different people, owners from outside the county.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hecha import idnumber
from hecha.dataset import Dataset, from_frames

COUNTY = "429006"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤单翟"
GIVEN = "秀英华明丽芳军建国平玉兰红伟强敏静霞志勇桂珍金凤文海燕春梅荣波辉杰云德林刚斌涛超鹏成峰琴秋生东福萍娟艳琳雪晶倩"
TRAD = str.maketrans(
    "张刘陈华国兰红伟军丽凤东云贵龙汤邓韩冯马杨赵孙郑谢许邹叶苏吕钟卢陆毛龚顾贺严",
    "張劉陳華國蘭紅偉軍麗鳳東雲貴龍湯鄧韓馮馬楊趙孫鄭謝許鄒葉蘇呂鍾盧陸毛龔顧賀嚴",
)
SAME_SOUND = {"英": "瑛", "伟": "玮", "明": "铭", "军": "君", "红": "宏", "兰": "岚", "平": "萍", "芳": "方", "丽": "莉",
              "华": "桦", "敏": "珉", "静": "靜", "霞": "侠", "勇": "咏", "珍": "贞", "海": "海", "燕": "艳"}  # fmt: skip


def _zipf_choice(rng: np.random.Generator, pool: str, n: int, a: float) -> np.ndarray:
    w = 1.0 / np.arange(1, len(pool) + 1) ** a
    return np.array(list(pool), dtype=object)[rng.choice(len(pool), size=n, p=w / w.sum())]


def _check_chars(first17: np.ndarray) -> np.ndarray:
    digits = np.frombuffer("".join(first17).encode("ascii"), dtype=np.uint8).reshape(-1, 17) - 48
    total = (digits.astype(np.int64) * np.array(idnumber.WEIGHTS)).sum(axis=1) % 11
    return np.array(list(idnumber.CHECK_CHARS))[total]


def people(n: int, seed: int, area: str = COUNTY) -> pd.DataFrame:
    """n distinct people: name (Zipf surnames and given characters), birth, sex, number, village."""
    rng = np.random.default_rng(seed)
    birth = np.datetime64("1930-01-01") + rng.integers(0, 90 * 365, size=n).astype("timedelta64[D]")
    sex = np.where(rng.random(n) < 0.5, "M", "F")
    ymd = pd.Series(birth).dt.strftime("%Y%m%d").to_numpy().astype(str)
    seq = rng.integers(0, 500, size=n) * 2 + (sex == "M")
    first17 = np.char.add(np.char.add(area, ymd), np.char.zfill(seq.astype(str), 3))
    ids = np.char.add(first17, _check_chars(first17)).astype(object)
    given = _zipf_choice(rng, GIVEN, n, 1.1)
    two = rng.random(n) < 0.7
    given = np.where(two, given + _zipf_choice(rng, GIVEN, n, 1.1), given)
    name = _zipf_choice(rng, SURNAMES, n, 0.9) + given
    town = rng.integers(101, 121, size=n)
    village = rng.integers(200, 220, size=n)
    region = np.char.add(np.char.add(area, town.astype(str)), village.astype(str)).astype(object)
    df = pd.DataFrame({"name": name, "id_number": ids, "birth_date": birth, "sex": sex, "region_code": region})
    return df.drop_duplicates("id_number").reset_index(drop=True)


def _name_noise(rng: np.random.Generator, names: pd.Series, p_trad: float, p_sound: float) -> pd.Series:
    out = names.copy()
    r = rng.random(len(out))
    trad = r < p_trad
    out[trad] = out[trad].str.translate(TRAD)
    sound = (r >= p_trad) & (r < p_trad + p_sound)
    out[sound] = out[sound].map(lambda s: s[0] + "".join(SAME_SOUND.get(c, c) for c in s[1:]))
    spaced = rng.random(len(out)) < 0.01
    out[spaced] = out[spaced].str[0] + " " + out[spaced].str[1:]
    return out


def _typo(number: str, rng: np.random.Generator) -> str:
    pos = int(rng.integers(0, 17))
    digit = str((int(number[pos]) + int(rng.integers(1, 10))) % 10)
    return number[:pos] + digit + number[pos + 1 :]


def _id_noise(rng: np.random.Generator, ids: pd.Series, p_typo: float, p_legacy: float, p_missing: float) -> pd.Series:
    out = ids.copy()
    r = rng.random(len(out))
    typo = r < p_typo
    out[typo] = [_typo(x, rng) for x in out[typo]]
    legacy = (r >= p_typo) & (r < p_typo + p_legacy) & out.str[6:8].eq("19")
    out[legacy] = out[legacy].str[:6] + out[legacy].str[8:17]
    missing = (r >= p_typo + p_legacy) & (r < p_typo + p_legacy + p_missing)
    out[missing] = ""
    fmt = rng.random(len(out)) < 0.02
    out[fmt] = out[fmt].str.lower().str[:6] + " " + out[fmt].str.lower().str[6:]
    return out


def county_frames(n_people: int, seed: int = 0, roll_share: float = 0.04) -> dict[str, pd.DataFrame]:
    """Source frames (contract columns + `_truth`) for a county of n_people."""
    rng = np.random.default_rng(seed + 1)
    pop = people(n_people, seed)
    outsiders = people(max(n_people // 50, 50), seed + 99, area="420100")
    truth = pop["id_number"]
    reg = pop.assign(hukou_id=[f"H{i // 3:07d}" for i in range(len(pop))], _truth=truth)

    roll_idx = rng.choice(len(pop), size=max(int(len(pop) * roll_share), 10), replace=False)
    dup_idx = rng.choice(roll_idx, size=max(len(roll_idx) // 100, 1), replace=False)  # same person twice
    roll_people = pop.iloc[np.concatenate([roll_idx, dup_idx])].reset_index(drop=True)
    roll = pd.DataFrame(
        {
            "period": "2026-10",
            "program": "dibao_rural",
            "household_id": [f"R{i:07d}" for i in range(len(roll_people))],
            "name": _name_noise(rng, roll_people["name"], 0.03, 0.03),
            "id_number": _id_noise(rng, roll_people["id_number"], 0.03, 0.02, 0.01),
            "region_code": roll_people["region_code"],
            "amount": 450.0,
            "_truth": roll_people["id_number"],
        }
    )

    # Deaths: registry people (over-sampling roll people so roll~deaths has enough links).
    dead = np.unique(np.concatenate([rng.choice(roll_idx, size=max(len(roll_idx) // 20, 5), replace=False),
                                     rng.choice(len(pop), size=max(len(pop) // 200, 10), replace=False)]))  # fmt: skip
    d = pop.iloc[dead].reset_index(drop=True)
    death_date = np.datetime64("2026-09-15") - rng.integers(0, 120, size=len(d)).astype("timedelta64[D]")
    cremation = rng.random(len(d)) < 0.4
    age = ((death_date - d["birth_date"].to_numpy()).astype("timedelta64[D]").astype(int) // 365.2425).astype(int)
    town_code = d["region_code"].str[:9] + "000"
    deaths = pd.DataFrame(
        {
            "name": _name_noise(rng, d["name"], 0.02, 0.02),
            "id_number": np.where(cremation, "", _id_noise(rng, d["id_number"], 0.01, 0.01, 0.0)),
            "birth_date": pd.Series(d["birth_date"]).where(~cremation),
            "age": np.where(cremation, age, np.nan),
            "death_date": death_date,
            "region_code": np.where(cremation & (rng.random(len(d)) < 0.5), town_code, d["region_code"]),
            "source": np.where(cremation, "火化", "户籍注销"),
            "_truth": d["id_number"],
        }
    )

    def assets(share: float, extra: float, name_col: str, id_col: str, **cols: object) -> pd.DataFrame:
        own = pop.iloc[rng.choice(len(pop), size=int(len(pop) * share), replace=True)]
        ext = outsiders.iloc[rng.choice(len(outsiders), size=int(len(pop) * share * extra), replace=True)]
        both = pd.concat([own, ext], ignore_index=True)
        return pd.DataFrame(
            {
                name_col: _name_noise(rng, both["name"], 0.02, 0.01),
                id_col: _id_noise(rng, both["id_number"], 0.01, 0.05, 0.0),
                **cols,
                "_truth": both["id_number"],
            }
        )

    real_estate = assets(0.2, 0.05, "owner_name", "owner_id_number", property_type="住宅")
    vehicles = assets(0.1, 0.05, "owner_name", "owner_id_number", vehicle_type="小型轿车")
    payroll = assets(0.03, 0.02, "name", "id_number", employer="某局", monthly_salary=5000.0)
    return {
        "household_registry": reg,
        "roll": roll,
        "deaths": deaths,
        "real_estate": real_estate,
        "vehicles": vehicles,
        "payroll": payroll,
    }


def to_dataset(frames: dict[str, pd.DataFrame]) -> Dataset:
    """What ingestion would hand over: contract columns, `_row`, normalised ids with status."""
    return from_frames(frames, COUNTY, "2026-10")


def truth_of(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """source, row, person_key — the shape of the generator's _truth/records.csv."""
    parts = [
        pd.DataFrame({"source": s, "row": np.arange(2, len(f) + 2), "person_key": f["_truth"].to_numpy()})
        for s, f in frames.items()
    ]
    return pd.concat(parts, ignore_index=True)
