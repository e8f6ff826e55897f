"""The county policy: every number a rule, a check or a model uses.

Defaults ship in `default_policy.yaml` next to this file; a county's policy file
overrides any part of it (deep merge), so a county only writes what differs.
Standards (amounts) are *not* policy: they come from the `standards` source.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hecha.exceptions import PolicyError, explain_validation

# Value ranges a county file cannot leave: a typo such as 9.0 for 0.9 is refused with its key.
Probability = Annotated[float, Field(ge=0, le=1)]
Share = Annotated[float, Field(ge=0, le=1)]
Count = Annotated[int, Field(ge=0)]
Age = Annotated[int, Field(ge=0, le=130)]

DEFAULT_POLICY_FILE = Path(__file__).with_name("default_policy.yaml")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChecksPolicy(_Section):
    """Quality gates run before anything else (checks/)."""

    max_quarantined_share: Share = 0.05  # stop the run if more of a required source is quarantined
    min_id_valid_share: Share = 0.90  # stop if fewer roll identity numbers are valid or upgradable
    max_failed_expectations: Count = 0  # blocking expectations that may fail before the run stops
    min_id_valid_share_other: Share = 0.80  # other sources: share of the numbers given that are valid
    max_roll_amount: float = Field(default=20000.0, gt=0)  # yuan per person per month; above it is implausible


class LinkagePolicy(_Section):
    """Record linkage (matching/): accept a link at or above its pair's threshold."""

    default_threshold: Probability = 0.90
    thresholds: dict[str, Probability] = Field(default_factory=dict)  # "roll~deaths": 0.95
    weak_link_below: Probability = 0.97  # links under this are "weak fuzzy" in evidence
    ambiguity_margin: Probability = 0.05  # a rival candidate this close to the best makes a record ambiguous


_ALL_PAID = ["dibao_urban", "dibao_rural", "tekun", "temporary", "disability_living", "disability_care",
             "elderly_allowance", "orphan"]  # fmt: skip
_EXEMPT_VEHICLES = ("普通二轮摩托车", "轻便二轮摩托车", "普通三轮摩托车", "三轮汽车", "拖拉机", "低速货车", "三轮车")  # fmt: skip
_RULE_PROGRAMS: dict[str, list[str]] = {
    "DECEASED_PAID": _ALL_PAID,
    "PUBLIC_PAYROLL": ["dibao_urban", "dibao_rural", "tekun"],
    "VEHICLE_OWNED": ["dibao_urban", "dibao_rural"],
    "PROPERTY_EXCESS": ["dibao_urban", "dibao_rural"],
    "BUSINESS_OWNED": ["dibao_urban", "dibao_rural"],
    "DUPLICATE_ENROLMENT": [p for p in _ALL_PAID if p != "temporary"],
    "AMOUNT_MISMATCH": [p for p in _ALL_PAID if p != "temporary"],
    "SHARED_ACCOUNT": _ALL_PAID,
    "CADRE_KIN_UNFILED": ["dibao_urban", "dibao_rural", "tekun"],
}
_RULE_CERTAINTY: dict[str, float] = {
    "DECEASED_PAID": 0.98, "PUBLIC_PAYROLL": 0.95, "VEHICLE_OWNED": 0.9, "PROPERTY_EXCESS": 0.9,
    "BUSINESS_OWNED": 0.9, "DUPLICATE_ENROLMENT": 0.95, "PROGRAM_OVERLAP": 0.95, "AGE_INELIGIBLE": 0.95,
    "DISABILITY_INELIGIBLE": 0.9, "AMOUNT_MISMATCH": 0.95, "SHARED_ACCOUNT": 0.8, "MISSED_DIBAO": 0.7,
    "MISSED_DISABILITY_CARE": 0.85, "MISSED_ELDERLY_ALLOWANCE": 0.85, "CADRE_KIN_UNFILED": 0.85,
}  # fmt: skip


class RulesPolicy(_Section):
    """Rule findings (models/rules). Section owned by the findings engine.

    Every threshold, exempt list and program scope of contract §2 is here so a
    county can change it in its policy file; amounts come from `standards`.
    """

    # rule code -> programs whose recipients the rule judges (the code defaults equal default_policy.yaml)
    programs: dict[str, list[str]] = Field(default_factory=lambda: dict(_RULE_PROGRAMS))
    # program family for DUPLICATE_ENROLMENT: urban and rural dibao are one family
    program_families: dict[str, str] = Field(default_factory=lambda: {"dibao_urban": "dibao", "dibao_rural": "dibao"})
    exempt_vehicle_types: list[str] = Field(default_factory=lambda: list(_EXEMPT_VEHICLES))
    exempt_vehicle_keywords: list[str] = Field(default_factory=lambda: ["摩托", "拖拉机", "低速", "三轮"])
    non_residential_property_types: list[str] = Field(default_factory=lambda: ["商业", "办公", "工业"])
    residential_property_types: list[str] = Field(default_factory=lambda: ["住宅"])
    max_homes: Count = 1  # more homes than this is PROPERTY_EXCESS
    business_min_capital_wan: float = Field(default=10.0, ge=0)
    business_active_statuses: list[str] = Field(default_factory=lambda: ["存续", "在业"])
    orphan_max_age: Age = 18  # orphan allowance at this age or older is AGE_INELIGIBLE
    death_age_offsets: list[int] = Field(default_factory=lambda: [0])  # age-only death record: recorded - true age
    missed_hold_possible_deaths: bool = True  # no missed finding for someone matching an unidentified death
    care_levels: list[Annotated[int, Field(ge=1, le=4)]] = Field(default_factory=lambda: [1, 2])  # 重度 levels
    missed_dibao_min_age: Age = 16
    missed_dibao_labor: list[str] = Field(default_factory=lambda: ["丧失劳动力", "无劳动力"])
    serious_illness_yes: list[str] = Field(default_factory=lambda: ["是", "有", "Y", "YES", "1", "TRUE"])
    kin_relations: list[str] = Field(default_factory=list)  # hukou relations counted as close kin; empty = all
    certainty: dict[str, Probability] = Field(default_factory=lambda: dict(_RULE_CERTAINTY))  # rule code -> 0-1
    min_link_probability: dict[str, Probability] = Field(default_factory=dict)  # rule code -> minimum link
    default_min_link_probability: Probability = 0.90
    weak_link_factor: Probability = 0.6  # score multiplier when a finding rests on a weak fuzzy link

    def programs_for(self, code: str) -> list[str]:
        return self.programs.get(code, [])

    def min_link(self, code: str) -> float:
        return self.min_link_probability.get(code, self.default_min_link_probability)

    def certainty_of(self, code: str) -> float:
        return self.certainty.get(code, 0.9)


class FavourPolicy(_Section):
    """The favour-risk model (models/favour) 人情保/关系保风险. Section owned by the risk model.

    The cap and the minimum score keep the list short enough for inspectors to
    verify every entry; the label thresholds decide when inspectors' decisions
    are numerous enough to train on.
    """

    enabled: bool = True
    max_flag_share: float = Field(default=0.03, gt=0, le=1)  # at most this share of roll households flagged
    min_score: float = Field(default=0.5, ge=0, le=1)  # never flag below this score
    # With no clear drop the list ends at the sharpest one, but not before this share of households:
    # 0.3%, the share of recipients a real campaign removed as cadres' relatives (Jiangxi 2010,
    # ≈7,000 of 2.43M).
    # A list cut at the first drop shows inspectors only the kind of favour that scores highest,
    # and the supervised model can then learn no other kind (measured: benchmarks/RESULTS.md).
    min_flag_share: float = Field(default=0.003, ge=0, le=1)
    list_break: bool = True  # end the list at a clear drop in score, else the sharpest past min_flag_share
    # A clear drop ends the list before min_flag_share (only there): clear when a county whose top
    # scores are one smooth tail would show one as clear by chance with probability below this
    # (ranking.clear_break).
    break_p: float = Field(default=0.01, ge=0, lt=1)
    # A household the handler (经办人) enrolled from the handler's own hukou was handled without the
    # recusal (回避) the rules require: it heads the list whatever the model scores it (within the cap).
    recusal_first: bool = True
    max_reasons: int = Field(default=3, ge=1)  # reasons shown per household
    reason_min_z: float = Field(default=1.5, ge=0)  # a feature is a reason from this robust z upwards
    working_age: tuple[int, int] = (18, 59)  # labour-capacity window (a capacity feature, not age as such)
    recent_months: int = Field(default=12, ge=1)  # "recently enrolled / recently formed"
    burst_window_days: int = Field(default=90, ge=1)  # enrolments this close together count as one burst
    min_norm_group: int = Field(default=5, ge=1)  # households needed for a village norm (else town, else county)
    n_estimators: int = Field(default=200, ge=10)  # IsolationForest trees
    z_weight: float = Field(
        default=0.5, ge=0, le=1
    )  # unsupervised score = z_weight*z-score part + rest*IsolationForest
    min_labels_per_class: int = Field(
        default=5, ge=1
    )  # confirmed, and not-favour, households needed to train supervised
    pu_reliable_negatives: bool = True  # add never-flagged, undecided households as negatives (PU learning)
    C: float = Field(default=0.1, gt=0)  # inverse L2 strength of the supervised weights (the anomaly score is free)
    calibrate_min_per_class: int = Field(default=20, ge=2)  # from here on CalibratedClassifierCV is used
    fairness_ratio_warn: float = Field(default=1.25, gt=1)  # warn when minority-name flag rate differs by this ratio
    random_state: int = 0


class ReviewPolicy(_Section):
    """Due process of the review (cases/dueprocess): how long a household has to state its case.

    An adverse decision (stop, recover, reduce) may only be proposed once the household has
    responded or this many days have passed since it was notified (告知).
    """

    response_days: int = Field(default=10, ge=1)  # 陈述申辩期限（天），自告知之日起


class Policy(_Section):
    checks: ChecksPolicy = ChecksPolicy()
    linkage: LinkagePolicy = LinkagePolicy()
    rules: RulesPolicy = RulesPolicy()
    favour: FavourPolicy = FavourPolicy()
    review: ReviewPolicy = ReviewPolicy()


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def load_policy(path: Path | str | None = None) -> Policy:
    """The default policy, overridden in part by a county's YAML file if given.

    A missing or unreadable file, bad YAML, an unknown key or a value out of range is a
    PolicyError naming the file and the key (Chinese first, English beside it).
    """
    data = yaml.safe_load(DEFAULT_POLICY_FILE.read_text(encoding="utf-8")) or {}
    if path is not None:
        data = _merge(data, _read_override(Path(path)))
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(str(path or DEFAULT_POLICY_FILE), *explain_validation(exc, "policy value")) from None


def _read_override(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise PolicyError(str(path), "政策文件不存在", "the policy file does not exist")
    try:
        override = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise PolicyError(str(path), "政策文件应为 UTF-8 编码", "the policy file must be UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark is not None else ""
        raise PolicyError(
            str(path), f"YAML 格式错误{where}", f"invalid YAML{f' at line {mark.line + 1}' if mark else ''}"
        ) from None
    if override is None:
        return {}
    if not isinstance(override, dict):
        raise PolicyError(str(path), "政策文件应为“键: 值”的结构", "the policy file must be a mapping of keys")
    return override
