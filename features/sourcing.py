"""Sourcing family (signals are added by their own issue)."""

from __future__ import annotations

from features.base import Feature

FEATURES: list[type[Feature]] = []
