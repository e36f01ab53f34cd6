"""Corpus tools: the one batch pool that scores many documents in parallel (`parallel`), the ranked
audit (`audit`), the CI gate (`gate`) and the HTML report (`report`)."""
