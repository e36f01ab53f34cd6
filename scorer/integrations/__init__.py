"""Adapters that run the scorer inside other data-processing frameworks."""
