"""One error vocabulary. Messages are Chinese first, English beside them."""

from __future__ import annotations

import re
from typing import Any

from hecha.privacy import mask_id


class HechaError(Exception):
    """Base of every error hecha raises on purpose (the CLI prints these without a traceback)."""


class MissingSourceError(HechaError):
    """A required source file is not in the input folder."""

    def __init__(self, source: str, zh: str, folder: str) -> None:
        self.source = source
        super().__init__(
            f"缺少必需数据源「{zh}」({source})：在 {folder} 中未找到 {source}.csv 或 {source}.xlsx / "
            f"required source '{source}' is missing from {folder}"
        )


class InputFileError(HechaError):
    """A file cannot be read at all (encoding, format, missing header)."""

    def __init__(self, file: str, reason_zh: str, reason_en: str) -> None:
        self.file = file
        super().__init__(f"文件 {file} 无法读取：{reason_zh} / cannot read {file}: {reason_en}")


class DataQualityError(HechaError):
    """Quality gates failed beyond the policy's threshold: the run stops before any case is written."""


class PolicyError(HechaError):
    """A county policy file that cannot be used: missing, bad YAML, unknown key or value out of range."""

    def __init__(self, file: str, reason_zh: str, reason_en: str) -> None:
        self.file = file
        super().__init__(f"政策文件 {file} 有误：{reason_zh} / policy file {file}: {reason_en}")


def explain_validation(exc: Any, subject_en: str = "value") -> tuple[str, str]:
    """The first problems of a pydantic ValidationError, each named by its dotted key: (中文, English).

    Values are shown as written, with anything that could be an identity number masked.
    """
    zh, en = [], []
    for error in exc.errors()[:3]:
        key = ".".join(str(part) for part in error["loc"])
        if error["type"] == "extra_forbidden":
            zh.append(f"未知的设置项 {key}")
            en.append(f"unknown key {key}")
        else:
            zh.append(f"设置项 {key} 的值 {_shown(error.get('input'))} 不合要求（{error['msg']}）")
            en.append(f"invalid {subject_en} {key}: {error['msg']}")
    return "；".join(zh), "; ".join(en)


def _shown(value: object) -> str:
    return re.sub(r"\d{15,}[\dXx]*", lambda m: mask_id(m.group()), repr(value)[:60])
