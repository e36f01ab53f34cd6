"""The clusters section of the HTML audit report: each copy beside its likely original, with the
passages they share highlighted in both texts (`ProvenancePass.report` gives the groups)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from scorer.corpus.report import _e, _label, highlight

CLUSTER_CSS = """
.pair{display:grid;grid-template-columns:1fr 1fr;gap:1em}
.pair .text{max-height:28em;overflow:auto;font-size:.92em}
mark.f-provenance{background:#f7b6c8}
section.clusters article h3{font-size:1em;margin:.3em 0}
"""


def _side(heading: str, member: Mapping[str, Any], spans_key: str) -> str:
    note = {
        "code": "provenance.shared",
        "family": "provenance",
        "message": "passage shared with the other text",
    }
    sig = {**note, "evidence": [{"start": a, "end": b} for a, b in member.get(spans_key, [])]}
    return (
        f"<div><h3>{_e(heading)}: {_e(member['location'])} · {float(member['score']):.1f} {_label(str(member['label']))}"
        f' <span class="muted">similarity {_e(member["similarity"])}</span></h3>'
        f'<div class="text">{highlight(str(member["text"]), [sig])}</div></div>'
    )


def write_clusters(w: Callable[[str], Any], clusters: Iterable[Mapping[str, Any]]) -> None:
    """Write the section (nothing when there are no clusters)."""
    groups = list(clusters)
    if not groups:
        return
    w(f"<style>{CLUSTER_CSS}</style>")
    w('<section class="clusters" id="clusters"><h2>Near-copy and template clusters</h2>')
    w(
        '<p class="muted">Each cluster shows its likely original (earliest explicit date, then a named byline, '
        "then the fewest artefacts, then the highest score) and its copies; the shared passages are highlighted "
        "in both texts.</p>\n"
    )
    for g in groups:
        kind = "near-copies" if g["kind"] == "near_copy" else "template"
        w(f"<article><h2>Cluster {_e(g['id'])} · {_e(kind)} · {_e(g['size'])} documents</h2>")
        original = g.get("original")
        for copy in g.get("copies", []):
            if original is None:
                w(f'<div class="pair">{_side("copy", copy, "spans")}</div>')
                continue
            # The original's side highlights what it shares with this copy.
            orig = {**original, "original_spans": copy.get("original_spans", [])}
            w(
                f'<div class="pair">{_side("original", orig, "original_spans")}{_side("copy", copy, "spans")}</div>'
            )
        w("</article>\n")
    w("</section>\n")
