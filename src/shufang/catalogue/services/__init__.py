"""Catalogue services: every write to records and items goes through these functions."""
