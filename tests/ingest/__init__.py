"""Tests of ingest (`scorer.ingest`): documents from text, HTML and records; inputs from files and corpora."""
