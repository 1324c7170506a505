"""The development index (发展指数): method as data, computation from observations alone, uncertainty analysis.

docs/index.md explains the method; ``compute_index`` is the one entry point.
"""

from cbec.statistics.index.method import (
    IndexInputInvalid,
    Method,
    Observation,
    method_codes,
    parse_method,
    parse_observations,
    shipped_method,
)
from cbec.statistics.index.run import compute_index

__all__ = [
    "IndexInputInvalid",
    "Method",
    "Observation",
    "compute_index",
    "method_codes",
    "parse_method",
    "parse_observations",
    "shipped_method",
]
