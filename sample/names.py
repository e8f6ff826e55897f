"""Name pools: surnames, given names by sex and birth cohort, places, same-sound typos.

Pools are weighted so that common full names (王秀英, 张伟) recur, as they do in a
real county: homonyms are what record linkage must not merge.
"""

from __future__ import annotations

import numpy as np

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔向汤"
)
_SURNAME_WEIGHTS = np.array([7.0, 7.0, 7.0, 5.5, 4.5] + [2.0] * 10 + [1.0] * (len(SURNAMES) - 15))

# (given names, weights) per (sex, cohort); cohort 0: born before 1960, 1: 1960-1989, 2: 1990-
GIVEN: dict[tuple[str, int], tuple[str, ...]] = {
    ("F", 0): (
        "秀英",
        "桂英",
        "秀兰",
        "玉兰",
        "桂兰",
        "秀珍",
        "凤英",
        "玉珍",
        "玉英",
        "兰英",
        "秀荣",
        "桂珍",
        "淑珍",
        "翠兰",
    ),
    ("F", 1): ("丽", "静", "敏", "燕", "艳", "娟", "霞", "红", "芳", "丽娟", "海燕", "红梅", "春梅", "晓燕", "玉梅"),
    ("F", 2): (
        "婷",
        "雪",
        "欣怡",
        "子涵",
        "梓涵",
        "诗涵",
        "雨涵",
        "佳怡",
        "思琪",
        "雨欣",
        "可馨",
        "欣妍",
        "一诺",
        "梦琪",
    ),
    ("M", 0): (
        "建国",
        "国华",
        "德明",
        "长林",
        "玉林",
        "志明",
        "文华",
        "光明",
        "国强",
        "德才",
        "树林",
        "金山",
        "福生",
        "明山",
    ),
    ("M", 1): (
        "伟",
        "强",
        "军",
        "勇",
        "杰",
        "涛",
        "斌",
        "磊",
        "超",
        "明",
        "刚",
        "平",
        "辉",
        "建华",
        "志强",
        "海涛",
        "建军",
    ),
    ("M", 2): (
        "浩",
        "宇",
        "浩然",
        "子轩",
        "宇轩",
        "梓豪",
        "俊杰",
        "子豪",
        "皓轩",
        "博文",
        "一鸣",
        "天佑",
        "明轩",
        "晨阳",
    ),
}

UYGHUR_GIVEN = {
    "M": ("买买提", "艾力", "阿不都", "吐尔逊", "热合曼", "阿里木"),
    "F": ("古丽", "热依拉", "阿依古丽", "帕提古丽"),
}
MINORITY_SEPARATORS = ("·", "•", ".", "・", "")

HOMOPHONES = {
    "伟": "玮",
    "英": "瑛",
    "军": "君",
    "明": "铭",
    "丽": "莉",
    "静": "晶",
    "红": "虹",
    "霞": "侠",
    "杰": "洁",
    "涛": "韬",
    "刚": "钢",
    "平": "萍",
    "燕": "艳",
    "芳": "方",
    "兰": "岚",
    "珍": "真",
    "林": "琳",
    "华": "桦",
    "勇": "永",
    "斌": "彬",
    "磊": "蕾",
    "超": "朝",
    "辉": "晖",
    "敏": "民",
    "娟": "鹃",
    "梅": "玫",
    "琪": "棋",
    "宇": "雨",
    "浩": "皓",
    "涵": "含",
    "欣": "馨",
    "荣": "蓉",
    "国": "帼",
}

TOWNS = (
    "竟陵街道",
    "侨乡街道",
    "杨林街道",
    "多宝镇",
    "拖市镇",
    "张港镇",
    "蒋场镇",
    "汪场镇",
    "渔薪镇",
    "黄潭镇",
    "岳口镇",
    "横林镇",
    "彭市镇",
    "麻洋镇",
    "多祥镇",
    "干驿镇",
    "马湾镇",
    "卢市镇",
    "小板镇",
    "九真镇",
    "皂市镇",
    "胡市镇",
    "石家河镇",
    "佛子山镇",
    "净潭乡",
)
_STEM1 = "东西南北新红胜建和永光大小长白青黄马杨李王张刘陈周徐石桥湖河"
_STEM2 = "湖岭桥台湾场庙岗坪林堤港集垸河山塘园丰兴安华明光"
STREETS = ("人民大道", "陆羽大道", "钟惺大道", "东湖路", "西湖路", "竟陵路", "新城路", "建设路", "解放路", "文化路")
EMPLOYERS = (
    "天门市第一中学",
    "天门市实验小学",
    "天门市人民医院",
    "天门市公安局",
    "天门市财政局",
    "天门市教育局",
    "天门市中医医院",
    "天门市自然资源和规划局",
    "天门市水利和湖泊局",
    "天门市农业农村局",
)
ENTITY_WORDS = ("农业", "商贸", "建材", "养殖", "物流", "餐饮", "服装", "电子", "水产", "机械")


def surnames(rng: np.random.Generator, n: int) -> np.ndarray:
    """Draw n surnames with the skew of real frequencies."""
    chars = np.array(list(SURNAMES))
    return rng.choice(chars, size=n, p=_SURNAME_WEIGHTS / _SURNAME_WEIGHTS.sum())


def given_names(rng: np.random.Generator, sex: np.ndarray, birth_year: np.ndarray) -> np.ndarray:
    """Given names by sex and birth cohort; the first names of each pool are the most common."""
    cohort = np.where(birth_year < 1960, 0, np.where(birth_year < 1990, 1, 2))
    out = np.empty(len(sex), dtype=object)
    for (s, c), pool in GIVEN.items():
        mask = (sex == s) & (cohort == c)
        weights = 1.0 / np.arange(1, len(pool) + 1) ** 0.8
        out[mask] = rng.choice(np.array(pool, dtype=object), size=int(mask.sum()), p=weights / weights.sum())
    return out


def village_names(rng: np.random.Generator, n: int) -> list[str]:
    """n distinct two-character village stems (without the 村/社区 suffix)."""
    stems = [a + b for a in _STEM1 for b in _STEM2 if a != b]
    if n > len(stems):  # more villages than any real county (scale benchmarks): 新 villages too
        stems += [s + "新" for s in stems]
    picks = rng.choice(len(stems), size=n, replace=False)
    return [stems[i] for i in picks]


def clan_surnames(rng: np.random.Generator) -> tuple[list[str], list[float]]:
    """The surnames of a single-clan village (张家湾, 王家台): one to three clans and their shares.

    The main clan holds 45–80% of the hukou, the others split what is left of a 75–92% cover;
    the rest are families that married or moved in, with the county's own mix.
    """
    n = int(rng.choice([1, 2, 3], p=[0.4, 0.4, 0.2]))
    chars = np.array(list(SURNAMES))
    picked = rng.choice(chars, size=n, replace=False, p=_SURNAME_WEIGHTS / _SURNAME_WEIGHTS.sum())
    cover = rng.uniform(0.75, 0.92)
    main = min(cover, rng.uniform(0.45, 0.8)) if n > 1 else cover
    rest = rng.dirichlet(np.ones(n - 1)) * (cover - main) if n > 1 else np.array([])
    return [str(c) for c in picked], [float(main), *(float(x) for x in rest)]
