"""Corpus-level tools: what only a set of documents can show (provenance clusters)."""
