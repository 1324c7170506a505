"""cbec: the online comprehensive service platform of a cross-border e-commerce pilot zone (跨境电子商务综合试验区)."""

__version__ = "0.1.0"
