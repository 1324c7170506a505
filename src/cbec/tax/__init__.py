"""Retail-import tax (跨境电子商务零售进口税收): the public surface of the tax rules."""

from cbec.tax.rules import (
    ANNUAL_LIMIT_CODE,
    ANNUAL_LIMIT_SPEC_CODE,
    SINGLE_LIMIT_CODE,
    ConsumptionTaxKind,
    ImportAssessment,
    LineTax,
    RoundingVariant,
    TaxLineInput,
    TaxParameters,
    TaxPath,
    TaxTotals,
    allocate,
    assess_import,
    comprehensive_rate,
)

__all__ = [
    "ANNUAL_LIMIT_CODE",
    "ANNUAL_LIMIT_SPEC_CODE",
    "SINGLE_LIMIT_CODE",
    "ConsumptionTaxKind",
    "ImportAssessment",
    "LineTax",
    "RoundingVariant",
    "TaxLineInput",
    "TaxParameters",
    "TaxPath",
    "TaxTotals",
    "allocate",
    "assess_import",
    "comprehensive_rate",
]
