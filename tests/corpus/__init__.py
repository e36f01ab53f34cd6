"""Tests of the corpus tools (`scorer.corpus`): the batch pool, the audit, the gate and the HTML report."""
