"""Unit tests of the enterprises domain."""
