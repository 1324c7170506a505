"""Unit tests of the products domain."""
