"""Ingest: every input format becomes a `Document` here (`documents`: text, HTML and records;
`inputs`: files, folders, corpora and stdin). Nothing past this package parses a format."""
