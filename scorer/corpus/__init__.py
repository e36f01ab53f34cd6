"""Corpus tools: the one batch pool that scores many documents in parallel (`parallel`), the ranked
audit (`audit`), the CI gate (`gate`), the HTML report (`report`, with its clusters section in
`cluster_report`) and what only a set of documents can show: near-copy and template clusters
(`provenance`, over the MinHash signatures of `fingerprint`)."""
