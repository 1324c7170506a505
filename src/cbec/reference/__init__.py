"""Reference data (参数/基础数据): customs code tables, the positive list, tariff rates and tax parameters.

Other domains import only from here: ``code_tables``, ``lookup_goods``, ``tax_parameters`` (read side,
inside their own transactions) and ``seed_builtin`` / ``load_file`` (write side).
"""

from cbec.reference.errors import GoodsNotFound, ReferenceDataMissing, ReferenceFileInvalid, UnknownReferenceTable
from cbec.reference.files import InputFileInvalid, Record, by_row, read_records
from cbec.reference.lookups import code_tables, lookup_goods, tax_parameters
from cbec.reference.rules import (
    CODE_TABLES,
    TAX_PARAMETER_NAMES,
    CodeTables,
    CtKind,
    GoodsRule,
    ReferenceKind,
    ThresholdBasis,
    net_content_unit_problems,
    plain,
)
from cbec.reference.schemas import GoodsRead, LoadReport, ReferencePage
from cbec.reference.service import goods_rule, load_file, reference_table, seed_builtin

__all__ = [
    "CODE_TABLES",
    "TAX_PARAMETER_NAMES",
    "CodeTables",
    "CtKind",
    "GoodsNotFound",
    "GoodsRead",
    "GoodsRule",
    "InputFileInvalid",
    "LoadReport",
    "Record",
    "ReferenceDataMissing",
    "ReferenceFileInvalid",
    "ReferenceKind",
    "ReferencePage",
    "ThresholdBasis",
    "UnknownReferenceTable",
    "by_row",
    "code_tables",
    "goods_rule",
    "load_file",
    "lookup_goods",
    "net_content_unit_problems",
    "plain",
    "read_records",
    "reference_table",
    "seed_builtin",
    "tax_parameters",
]
