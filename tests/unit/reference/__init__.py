"""Unit tests of the reference domain."""
