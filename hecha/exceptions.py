"""One error vocabulary. Messages are Chinese first, English beside them."""

from __future__ import annotations


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
