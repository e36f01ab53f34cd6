"""Corpus tools: the one batch core every runner calls (`batch`), the process pool that runs it on this
machine's cores (`parallel`) and the Ray engine that distributes it (`ray_engine`), the ranked audit
(`audit`), the CI gate (`gate`), progress (`progress`), the HTML report (`report`, with its clusters
section in `cluster_report`) and what only a set of documents can show: near-copy and template
clusters (`provenance`, over the MinHash signatures of `fingerprint`)."""
