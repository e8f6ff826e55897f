"""Tiny input files for the checks tests: one county-month, three required sources."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hecha.idnumber import check_char


def make_id(first17: str) -> str:
    """A valid 18-character number from 17 digits."""
    return first17 + check_char(first17)


ID_A = make_id("42900619800101001")  # a man born 1980-01-01 in county 429006
ID_B = make_id("42900619820202002")
ID_C = make_id("42900619500303003")

ROLL = f"""period,program,household_id,name,id_number,relation,region_code,amount,enrolled_date
2026-10,dibao_rural,H001,张三,{ID_A},户主,429006101201,600,2025-03-01
2026-10,dibao_rural,H001,李梅,{ID_B},配偶,429006101201,600,2025-03-01
2026-10,tekun,H002,王五,{ID_C},户主,429006101202,900,2024-07-15
"""
REGISTRY = f"""hukou_id,name,id_number,relation,sex,birth_date,region_code
K001,张三,{ID_A},户主,男,1980-01-01,429006101201
K001,李梅,{ID_B},配偶,女,1982-02-02,429006101201
K002,王五,{ID_C},户主,男,1950-03-03,429006101202
"""
STANDARDS = """region_code,program,effective_from,monthly_amount
429006,dibao_rural,2026-01-01,600
429006,tekun,2026-01-01,900
"""

WriteCounty = Callable[..., Path]
