"""Acquisitions services: every write, one audit event per change."""
