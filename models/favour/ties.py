"""Who is who around a roll household: its members, their hukou, and ties to cadres.

Everything is joined through the person index (person_id), never by name or raw
number, so a mistyped identity number on the roll still reaches the registry.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from hecha.dataset import Dataset
from hecha.index import PersonIndex
from hecha.policy import FavourPolicy
from models.favour.counts import first_rows

_YES = {"是", "有", "Y", "YES", "1", "TRUE"}


def _norm_text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    text = "".join(unicodedata.normalize("NFKC", str(value)).split())
    return text or None


def norm_texts(values: pd.Series) -> pd.Series:
    """`_norm_text` of a column, computed once per distinct value (addresses and relations repeat)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    normed = np.array([_norm_text(u) for u in uniques] + [None], dtype=object)  # the None keeps it 1-d
    return pd.Series(normed[codes], index=values.index, dtype=object)


def _records(index: PersonIndex, source: str, columns: list[str]) -> pd.DataFrame:
    """The index's records of one source, only `columns` (positional index).

    The records frame has a dozen columns and 1.5M rows at 1M people: selecting the
    few arrays read, not copying the frame, was most of the cost of every lookup. The
    arrays are fresh, so the frame keeps them as they are (`copy=False`) instead of
    copying the text columns again into one block.
    """
    records = index.records
    mine = records["source"].to_numpy() == source
    return pd.DataFrame({c: records[c].to_numpy()[mine] for c in columns}, copy=False)


def _pids(index: PersonIndex, dataset: Dataset, source: str, records: pd.DataFrame | None = None) -> pd.Series:
    """person_id per row of a source frame (index aligned); unlinked rows get a row-based id.

    `records`: the source's records with row and person_id, when the caller already has them.
    """
    frame = dataset.frames[source]
    r = _records(index, source, ["row", "person_id"]) if records is None else records
    person_of = pd.Series(r["person_id"].to_numpy(), index=r["row"].to_numpy(), name="person_id")  # as index.person_of
    mapped = frame["_row"].map(person_of).astype(object)
    unlinked = mapped.isna()
    if unlinked.any():
        mapped[unlinked] = source[:3] + ":" + frame.loc[unlinked, "_row"].astype(str)
    return mapped


def registry_view(dataset: Dataset, index: PersonIndex) -> pd.DataFrame:
    """Household registry 户籍 rows with person_id and a normalised address."""
    reg = dataset.frames["household_registry"]
    rec = _records(index, "household_registry", ["row", "person_id", "name_norm"])
    name_norm = reg["_row"].map(rec.drop_duplicates("row").set_index("row")["name_norm"]) if not rec.empty else None
    names = pd.Series(None, index=reg.index, dtype=object)
    if name_norm is None:
        if "name" in reg:
            names = norm_texts(reg["name"])
    else:  # simplified, separators unified (張 = 张) where linkage normalised it; the name as given elsewhere
        linked = name_norm.notna() & (name_norm != "")
        given = ~linked.fillna(False).astype(bool)
        if "name" in reg and given.any():
            names[given] = norm_texts(reg.loc[given, "name"])
        names = name_norm.where(linked, names)
    return pd.DataFrame(
        {
            "person_id": _pids(index, dataset, "household_registry", rec),
            "hukou_id": reg["hukou_id"].astype("string"),
            "address_norm": norm_texts(reg["address"]),
            "region_code": reg["region_code"],
            "id_number": reg["id_number"],
            "birth_date": pd.to_datetime(reg["birth_date"], errors="coerce"),
            "name_norm": names,
            "relation": norm_texts(reg["relation"]) if "relation" in reg else None,
        }
    )


_SEPARATORS = re.compile(r"[·•.・‧∙⋅]")


def family_keys(name: object) -> frozenset[str]:
    """What a name shares with close kin: the surname; for a name written `given·father`, both parts.

    Used only to relate two hukou to each other (分户 from a parent's hukou), never as a feature of
    the person: the question is "same family?", not "which family?".
    """
    text = _norm_text(name)
    if not text:
        return frozenset()
    parts = [p for p in _SEPARATORS.split(text) if p]
    if len(parts) > 1:
        return frozenset(parts)
    return frozenset({text[0]}) if len(text) >= 2 else frozenset()


def kin_split_hukou(reg: pd.DataFrame) -> pd.Series:
    """hukou_id -> other hukou at the same registry address whose head shares this head's family name,
    each weighted by how little the shared name says in that village: 1 − its share of the village's heads.

    A hukou carved out of a parent's hukou (分户) keeps the address and the family name. Where
    surnames are mixed, two unrelated families at one address seldom share a name, so a shared
    name is strong evidence of kinship (weight ≈ 1). In a single-clan village (王家湾, 70% of
    heads 王) two neighbours at one address share 王 by chance most of the time, so the match
    counts 0.3: the feature then stands for "probably kin", not "same surname". The share is the
    village's own, from the registry, so it holds for any county without a list of clans.
    """
    return kin_split_detail(reg)["weight"]


def kin_split_detail(reg: pd.DataFrame) -> pd.DataFrame:
    """hukou_id -> n (other same-name hukou at the address), weight (kin_split_hukou), share (the name's village share)."""
    cols = ["n", "weight", "share"]
    reg = reg[["hukou_id", "address_norm", "region_code", "relation", "name_norm"]]  # copy only what is read
    with_hukou = reg[reg["hukou_id"].notna().to_numpy()]
    r = with_hukou[with_hukou["address_norm"].notna().to_numpy()]
    if r.empty:
        return pd.DataFrame(columns=cols, dtype=float)
    known: dict[object, list[str]] = {}  # family keys per distinct head name, shared by both calls
    heads = family_heads(r, known)
    # a key alone at its address pairs with none: only shared ones go into the self-merge
    keys = heads[heads.duplicated(["address_norm", "k"], keep=False).to_numpy()]
    pairs = keys.merge(keys, on=["address_norm", "k"], suffixes=("", "_other"))
    pairs = pairs[pairs["hukou_id"] != pairs["hukou_id_other"]]
    if pairs.empty:
        return pd.DataFrame(columns=cols, dtype=float)
    # the shares count every head, with an address or not; where all rows have one (the usual export) they are the same heads
    share = surname_shares(heads if len(r) == len(with_hukou) else family_heads(with_hukou, known))
    s = pairs[["village", "k"]].merge(share, on=["village", "k"], how="left")["share"].to_numpy()
    pairs = pairs.assign(share=s, w=1.0 - s)
    best = pairs.groupby(["hukou_id", "hukou_id_other"]).agg(w=("w", "max"), share=("share", "min"))
    per = best.groupby(level="hukou_id")
    return pd.DataFrame({"n": per.size().astype(float), "weight": per["w"].sum(), "share": per["share"].max()})


def head_rows(hukou: pd.Series, relation: pd.Series) -> np.ndarray:
    """Position of each hukou's head: its first 户主 row; then, for hukou with none, their first row.

    From hukou codes, not two drop_duplicates and an isin over the registry's million rows.
    """
    codes = pd.factorize(hukou, use_na_sentinel=False)[0]
    is_head = np.asarray(relation == "户主", dtype=bool)
    rows = first_rows(codes, is_head)
    has_head = is_head[rows]
    return np.concatenate([np.sort(rows[has_head]), np.sort(rows[~has_head])])


def family_heads(reg: pd.DataFrame, known: dict[object, list[str]] | None = None) -> pd.DataFrame:
    """One row per (hukou, family key) of its head: hukou_id, address_norm, village, k.

    `known` carries the keys of names already seen (a caller asking twice saves the second pass).
    """
    heads = reg.iloc[head_rows(reg["hukou_id"], reg["relation"])]
    # the keys of each distinct name once, then one row per (head, key), in the order of the keys
    codes, uniques = pd.factorize(heads["name_norm"], use_na_sentinel=False)
    known = {} if known is None else known
    per_name = [known[u] if u in known else known.setdefault(u, sorted(family_keys(u))) for u in uniques]
    sizes = np.array([len(k) for k in per_name] + [0], dtype=np.int64)
    flat = np.array([k for ks in per_name for k in ks] + [""], dtype=object)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    n = sizes[codes]
    row = np.repeat(np.arange(len(heads)), n)
    within = np.arange(len(row)) - np.repeat(np.cumsum(n) - n, n)
    picked = heads.iloc[row]
    return picked[["hukou_id", "address_norm"]].assign(
        village=picked["region_code"].astype("string").fillna(""), k=flat[starts[codes[row]] + within]
    )


def surname_shares(keys: pd.DataFrame) -> pd.DataFrame:
    """village, k (a family key), share: the share of the village's hukou heads carrying it."""
    per_village = keys.groupby("village")["hukou_id"].nunique()
    counts = keys.groupby(["village", "k"])["hukou_id"].nunique()
    share = counts / per_village.reindex(counts.index.get_level_values("village")).to_numpy()
    return share.astype(float).rename("share").reset_index()


def surname_share(keys: pd.DataFrame) -> dict[tuple[str, str], float]:
    """(village, family key) -> share of the village's hukou heads carrying it."""
    t = surname_shares(keys)
    return dict(zip(zip(t["village"], t["k"], strict=True), t["share"].tolist(), strict=True))


def _persons_in(dataset: Dataset, index: PersonIndex, source: str) -> set[str]:
    return set(_pids(index, dataset, source)) if dataset.has(source) else set()


def _first_of(frame: pd.DataFrame, persons: pd.Series, dropna: bool = False) -> pd.DataFrame:
    """The first row of each of `persons` in `frame` (after dropping rows with a missing value), by person_id.

    Only the roll's persons are looked up, so the 1M-row registry is filtered once, not
    deduplicated and copied whole; filtering keeps the order, so the first row is the same.
    """
    near = frame[frame["person_id"].isin(persons.drop_duplicates()).to_numpy()]
    near = near.dropna() if dropna else near
    return near.drop_duplicates("person_id").set_index("person_id")


def household_members(dataset: Dataset, index: PersonIndex, reg: pd.DataFrame, policy: FavourPolicy) -> pd.DataFrame:
    """Roll rows with person_id, hukou, working capacity (able) and poverty-registry presence."""
    roll = dataset.frames["roll"].copy()
    roll["person_id"] = _pids(index, dataset, "roll")
    first_reg = _first_of(reg, roll["person_id"])
    roll["hukou_id"] = roll["person_id"].map(first_reg["hukou_id"])
    roll["reg_address"] = roll["person_id"].map(first_reg["address_norm"])
    roll["address_norm"] = norm_texts(roll["address"])

    births = _first_of(index.records[["person_id", "birth_date"]], roll["person_id"], dropna=True)
    birth = roll["person_id"].map(births["birth_date"])
    birth = pd.to_datetime(birth.fillna(roll["person_id"].map(first_reg["birth_date"])), errors="coerce")
    start = dataset.period_start
    # Whole years from calendar fields: safe for any datetime unit and for absurd dates in the data.
    before_birthday = (birth.dt.month > start.month) | ((birth.dt.month == start.month) & (birth.dt.day > start.day))
    years = start.year - birth.dt.year - before_birthday.astype(int)
    lo, hi = policy.working_age
    working = (years >= lo) & (years <= hi)

    disabled: set[str] = set()
    weak: set[str] = set()
    if dataset.has("disability_registry"):
        dis = dataset.frames["disability_registry"]
        pid = _pids(index, dataset, "disability_registry")
        disabled |= set(pid[pd.to_numeric(dis["disability_level"], errors="coerce").fillna(0) > 0])
    in_poverty: set[str] = set()
    if dataset.has("poverty_registry"):
        pov = dataset.frames["poverty_registry"]
        pid = _pids(index, dataset, "poverty_registry")
        in_poverty = set(pid)
        disabled |= set(pid[pd.to_numeric(pov["disability_level"], errors="coerce").fillna(0) > 0])
        ill = pov["serious_illness"].astype("string").str.strip().str.upper().isin(_YES)
        not_able = pov["labor_capacity"].notna() & (pov["labor_capacity"] != "普通劳动力")
        weak |= set(pid[ill.fillna(False) | not_able])

    first = ~roll.duplicated(["household_id", "person_id"])
    able = working & ~roll["person_id"].isin(disabled | weak)
    roll["able"] = (able & first).astype(int)
    roll["in_poverty"] = roll["person_id"].isin(in_poverty).astype(int)
    heads = roll[roll["relation"] == "户主"].drop_duplicates("household_id").set_index("household_id")["name"]
    roll["head_name"] = roll["household_id"].map(heads).fillna(roll.groupby("household_id")["name"].transform("first"))
    return roll


def _handler_places(dataset: Dataset, index: PersonIndex, reg: pd.DataFrame, wanted: pd.Series) -> pd.DataFrame:
    """handler number -> hukou_id, address_norm (via the registry's numbers, as corrected by linkage),
    for the `wanted` numbers only (a county has a few dozen handlers and a registry of a million)."""
    rec = _records(index, "household_registry", ["row", "id_resolved"])
    frame = dataset.frames["household_registry"]
    resolved = frame["_row"].map(rec.set_index("row")["id_resolved"]) if not rec.empty else frame["id_number"]
    near = resolved.isin(wanted) | reg["id_number"].isin(wanted)
    resolved, reg = resolved[near], reg[near]
    keyed = reg.assign(key=resolved.where(resolved.astype("string").str.len() > 0, reg["id_number"]))
    keyed = keyed[keyed["key"].isin(wanted)]
    return keyed.dropna(subset=["key"]).drop_duplicates("key").set_index("key")[["hukou_id", "address_norm"]]


# Columns the contract does not give `cadres`, kept by ingestion under the header as exported.
CADRE_EXTRA = {
    "address": ("address", "住址", "家庭住址"),
    "phone": ("phone", "联系电话"),
    "bank_account": ("bank_account", "银行账号"),
}


def _extra_values(frame: pd.DataFrame, what: str) -> set[str]:
    """Normalised non-empty values of an optional column under any of its accepted headers."""
    out: set[str] = set()
    for col in CADRE_EXTRA[what]:
        if col in frame:
            out |= {v for v in frame[col].map(_norm_text) if v}
    return out


def _pairs(members: pd.DataFrame, col: str, *more: str) -> pd.DataFrame:
    """Long table (household_id, value) over one or more member columns, without repeats."""
    parts = [members[["household_id", c]].set_axis(["household_id", "v"], axis=1) for c in (col, *more)]
    return pd.concat(parts).dropna().drop_duplicates()


def cadre_ties(dataset: Dataset, index: PersonIndex, members: pd.DataFrame, reg: pd.DataFrame) -> pd.DataFrame:
    """Per household: same hukou as a cadre; same address (other hukou); shared phone/bank; handler tie.

    `handler_same_hukou` is the narrow half of `handler_tie`: the handler is in the household's own
    hukou, so the application was handled without the recusal (回避) the rules require. A shared
    address can be a coarse village address; a shared hukou cannot.
    """
    hh_ids = sorted(set(members["household_id"]))
    cols = ["cadre_same_hukou", "cadre_same_address", "cadre_shared_contact", "handler_tie", "handler_same_hukou"]
    out = pd.DataFrame(0.0, index=hh_ids, columns=cols)
    hukous = _pairs(members, "hukou_id")
    addrs = _pairs(members, "reg_address", "address_norm")

    if dataset.has("cadres"):
        cadre_pids = set(_pids(index, dataset, "cadres"))
        cad_reg = reg[reg["person_id"].isin(cadre_pids)]
        c_addr = set(cad_reg["address_norm"].dropna())
        cad = dataset.frames["cadres"]
        c_addr |= _extra_values(cad, "address")
        contacts: set[str] = set()
        for col in ("phone", "bank_account"):
            contacts |= _extra_values(cad, col)
            on_roll = members[members["person_id"].isin(cadre_pids)]
            contacts |= {c for c in norm_texts(on_roll[col]) if c}
        same_h = set(hukous.loc[hukous["v"].isin(set(cad_reg["hukou_id"].dropna())), "household_id"])
        # A filed (备案) relationship has been disclosed and reviewed; only undisclosed ones add risk.
        filed = _persons_in(dataset, index, "cadre_kin_filings")
        kin_rows = members[members["household_id"].isin(same_h)]
        undisclosed = set(kin_rows.loc[~kin_rows["person_id"].isin(filed), "household_id"])
        out.loc[sorted(undisclosed), "cadre_same_hukou"] = 1.0
        # Same address or contact within one hukou is ordinary family life; across hukous it is the signal.
        same_a = set(addrs.loc[addrs["v"].isin(c_addr), "household_id"]) - same_h
        out.loc[sorted(same_a), "cadre_same_address"] = 1.0
        mc = members.assign(phone=norm_texts(members["phone"]), bank_account=norm_texts(members["bank_account"]))
        shared = _pairs(mc, "phone", "bank_account")
        via_contact = set(shared.loc[shared["v"].isin(contacts), "household_id"]) - same_h
        out.loc[sorted(via_contact), "cadre_shared_contact"] = 1.0

    handled = members[["household_id", "handler_id_number"]].dropna().drop_duplicates()
    places = _handler_places(dataset, index, reg, handled["handler_id_number"].drop_duplicates())
    handled = handled[handled["handler_id_number"].isin(places.index)]
    h_hukou = handled.assign(v=handled["handler_id_number"].map(places["hukou_id"]))[["household_id", "v"]]
    h_addr = handled.assign(v=handled["handler_id_number"].map(places["address_norm"]))[["household_id", "v"]]
    same_hukou = h_hukou.merge(hukous)
    tie = pd.concat([same_hukou, h_addr.dropna().merge(addrs)])
    out.loc[sorted(set(tie["household_id"])), "handler_tie"] = 1.0
    out.loc[sorted(set(same_hukou["household_id"])), "handler_same_hukou"] = 1.0
    return out


def shared_contacts(members: pd.DataFrame) -> pd.Series:
    """Other roll households giving the same phone or bank account (someone else applies or collects)."""
    parts = []
    for col in ("phone", "bank_account"):
        parts.append(pd.DataFrame({"household_id": members["household_id"], "c": col + ":" + norm_texts(members[col])}))
    both = pd.concat(parts).dropna().drop_duplicates()
    both = both[~both["c"].str.endswith(":None")]
    per_contact = both.groupby("c")["household_id"].transform("size") - 1  # pairs are distinct: size = nunique
    return per_contact.groupby(both["household_id"]).max().astype(float)


ESTABLISHED_COLUMNS = ("split_date", "established", "established_date", "分户日期", "立户日期")


def hukou_established(dataset: Dataset) -> pd.Series:
    """hukou_id -> date the hukou was set up (分户/立户), when the registry export carries it."""
    reg = dataset.frames["household_registry"]
    for col in ESTABLISHED_COLUMNS:
        if col in reg:
            dates = pd.to_datetime(reg[col], errors="coerce", format="mixed")
            return dates.groupby(reg["hukou_id"].astype("string")).min()
    return pd.Series(dtype="datetime64[ns]")
