"""The HTML audit report: one self-contained file (inline CSS, SVG and a little JavaScript; a
Content-Security-Policy forbids any network access when it is viewed).

It shows the score distribution as a bar chart, the ranked table, and for each of the worst articles
the list of its flags (code, message, the quoted evidence: readable by keyboard, touch and in print)
and its text with every evidence span highlighted in its family's colour (where families overlap, in
stripes of their colours). Two selects filter by label and by family; a document belongs to a family
when that family lowered its score (one of its reasons) or flagged evidence in it. Language codes are
shown as the scorer reports them ("it"). The layout holds on a 420 px screen (the table scrolls in
its own box). Everything that comes from an input (text, paths, titles, URLs, messages) is escaped.

The page is written as it streams (the ranked table has one row per document, however many), with
one escaping function; a template engine would add a dependency for no gain at this size.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from html import escape
from itertools import islice
from typing import Any, TextIO

from features import FAMILIES
from scorer.corpus.audit import described
from scorer.engine import BANDS

FAMILY_COLOURS = {
    "translation": "#ffd84d",
    "boilerplate": "#9cc9f5",
    "dating": "#a8e6a1",
    "sourcing": "#ffb380",
    "readability": "#d9b8f0",
    "generation": "#f0a0a0",
    "provenance": "#f7b6c8",
}
LABEL_COLOURS = {"high": "#2e9d4f", "medium": "#d8b520", "low": "#e5822e", "very_low": "#c9302c"}
OTHER_COLOUR = "#dddddd"
MAX_ERRORS_SHOWN = 1000

MAX_SNIPPET = 160  # characters of evidence quoted in an article's list of flags

CSS = """
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1100px;padding:1em 1.5em;color:#222;background:#fff;overflow-wrap:anywhere}
h1{margin:.2em 0}h2{font-size:1.1em;margin:.2em 0}
.summary{color:#444}.muted{color:#777}
[hidden]{display:none!important}
.filters{position:sticky;top:0;background:#fff;padding:.5em 0;border-bottom:1px solid #ddd;z-index:2;display:flex;flex-wrap:wrap;gap:.3em 1.5em;align-items:center}
article,section{scroll-margin-top:var(--bar,4.5em)}
svg{max-width:100%;height:auto}
.scroll{overflow-x:auto;max-width:100%}
.scroll table{overflow-wrap:normal}.scroll td.code,.scroll th{white-space:nowrap}.scroll td a{overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;font-size:.92em}
th,td{border-bottom:1px solid #e4e4e4;padding:.25em .4em;text-align:left;vertical-align:top}
th{background:#f4f4f4}th.fam{font-size:.75em;font-weight:normal}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.label{display:inline-block;padding:0 .4em;border-radius:3px;color:#fff;font-size:.85em}
.code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85em}
article{border:1px solid #ddd;border-radius:6px;padding:.6em 1em;margin:1em 0}
.text{white-space:pre-wrap;font-family:Georgia,"Times New Roman",serif;font-size:1.02em;line-height:1.6;border-top:1px solid #eee;padding-top:.5em}
mark{border-radius:2px;padding:0 1px;cursor:help;color:inherit}
ol.flags{margin:.4em 0;padding-left:1.6em}ol.flags li{margin:.2em 0}
ol.flags q{font-family:Georgia,"Times New Roman",serif;background:#f6f6f6;padding:0 .2em}
@media (max-width:600px){body{padding:.6em .7em}}
@media print{.filters{position:static}mark{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
.legend span{display:inline-block;margin-right:1em}
.stripes{background:repeating-linear-gradient(135deg,#ffd84d 0 4px,#ffb380 4px 8px)}
.swatch{display:inline-block;width:.9em;height:.9em;border-radius:2px;vertical-align:-.1em;margin-right:.25em}
.families{font-size:.85em;color:#444}
.errors li{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85em}
"""

SCRIPT = """
(function(){
  var lab=document.getElementById('f-label'), fam=document.getElementById('f-family'), shown=document.getElementById('shown');
  function has(list, x){ return (' '+(list||'')+' ').indexOf(' '+x+' ')>=0; }
  function apply(){
    var l=lab.value, f=fam.value, rows=0;
    document.body.className = f ? 'only-'+f : '';
    var els=document.querySelectorAll('[data-label]');
    for (var i=0;i<els.length;i++){
      var e=els[i], ok=(!l||e.getAttribute('data-label')===l)&&(!f||has(e.getAttribute('data-families'),f));
      e.hidden=!ok;
      if(ok&&e.tagName==='TR'){rows++;}
    }
    shown.textContent=rows;
  }
  lab.addEventListener('change',apply); fam.addEventListener('change',apply); apply();
  // Linked headings land below the sticky filter bar, whatever its height on this screen.
  function bar(){ document.documentElement.style.setProperty('--bar',(document.querySelector('.filters').offsetHeight+8)+'px'); }
  window.addEventListener('resize',bar); bar();
})();
"""


def _family_css() -> str:
    rules = [f"mark.f-{f}{{background:{c}}}" for f, c in FAMILY_COLOURS.items()]
    # With a family filter on, the other families' highlights fade out, and a segment where that
    # family overlaps others shows that family's colour alone.
    rules += [f"body.only-{f} mark:not(.f-{f}){{background:none}}" for f in FAMILY_COLOURS]
    rules += [f"body.only-{f} mark.f-{f}{{background:{c}}}" for f, c in FAMILY_COLOURS.items()]
    return "\n".join(rules)


def _stripes(families: list[str]) -> str:
    """A background of diagonal stripes, one per family, for a segment several families cover."""
    stops = []
    for i, f in enumerate(families):
        c = FAMILY_COLOURS.get(f, OTHER_COLOUR)
        stops.append(f"{c} {4 * i}px {4 * (i + 1)}px")
    return f"background:repeating-linear-gradient(135deg,{','.join(stops)})"


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def highlight(text: str, signals: Iterable[Mapping[str, Any]]) -> str:
    """`text` as escaped HTML with every evidence span in a `<mark>` per family; overlapping spans are
    split into segments that carry every covering family and message."""
    spans: list[tuple[int, int, str, str]] = []
    for s in signals:
        note = f"{s['code']}: {s['message']}"
        for ev in s.get("evidence", ()):
            a, b = int(ev["start"]), int(ev["end"])
            if 0 <= a < b <= len(text):
                spans.append((a, b, str(s.get("family") or s["code"].split(".", 1)[0]), note))
    if not spans:
        return _e(text)
    bounds = sorted({0, len(text), *(a for a, *_ in spans), *(b for _, b, *_ in spans)})
    starts: dict[int, list[int]] = {}
    for i, (a, *_) in enumerate(spans):
        starts.setdefault(a, []).append(i)
    active: set[int] = set()
    out: list[str] = []
    for lo, hi in zip(bounds, bounds[1:], strict=False):
        active.update(starts.get(lo, ()))
        active = {i for i in active if spans[i][1] > lo}
        chunk = _e(text[lo:hi])
        if not active:
            out.append(chunk)
            continue
        ordered = sorted(active)
        fams = list(dict.fromkeys(spans[i][2] for i in ordered))
        notes = list(dict.fromkeys(spans[i][3] for i in ordered))
        classes = " ".join(f"f-{f}" for f in fams)
        # One family: its colour (the class). Several: stripes of each, in the order the spans start.
        style = f' style="{_stripes(fams)}"' if len(fams) > 1 else ""
        out.append(
            f'<mark class="{_e(classes)}"{style} data-families="{_e(" ".join(fams))}" title="{_e(chr(10).join(notes))}">{chunk}</mark>'
        )
    return "".join(out)


def histogram_svg(histogram: list[dict[str, Any]], width: int = 640, height: int = 220) -> str:
    """The score distribution as an inline SVG bar chart, bars coloured by the label band."""
    pad_l, pad_b, pad_t = 36, 34, 14
    plot_w, plot_h = width - pad_l - 10, height - pad_b - pad_t
    top = max([b["count"] for b in histogram] + [1])
    bar_w = plot_w / max(len(histogram), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Score distribution" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f'<line x1="{pad_l}" y1="{pad_t + plot_h}" x2="{pad_l + plot_w}" y2="{pad_t + plot_h}" stroke="#888"/>',
        f'<text x="4" y="{pad_t + 4}" font-size="11" fill="#555">{top}</text>',
    ]
    for i, b in enumerate(histogram):
        h = plot_h * b["count"] / top
        x = pad_l + i * bar_w
        y = pad_t + plot_h - h
        colour = LABEL_COLOURS.get(_band(float(b["from"])), OTHER_COLOUR)
        parts.append(
            f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{bar_w - 4:.1f}" height="{h:.1f}" fill="{colour}">'
            f"<title>{_e(b['from'])}–{_e(b['to'])}: {_e(b['count'])} documents</title></rect>"
        )
        if b["count"]:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" font-size="11" text-anchor="middle" fill="#333">{_e(b["count"])}</text>'
            )
        parts.append(
            f'<text x="{x:.1f}" y="{pad_t + plot_h + 14}" font-size="11" fill="#555" text-anchor="middle">{_e(b["from"])}</text>'
        )
    parts.append(
        f'<text x="{pad_l + plot_w:.1f}" y="{pad_t + plot_h + 14}" font-size="11" fill="#555" text-anchor="middle">100</text>'
    )
    parts.append(
        f'<text x="{pad_l + plot_w / 2:.1f}" y="{height - 4}" font-size="12" fill="#333" text-anchor="middle">score</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _band(score: float) -> str:
    for bound, name in BANDS:
        if score >= bound:
            return name
    return BANDS[-1][1]


def _label(label: str) -> str:
    return f'<span class="label" style="background:{LABEL_COLOURS.get(label, "#888")}">{_e(label)}</span>'


def _row_families(row: Mapping[str, Any]) -> str:
    """The families a document belongs to for the filter: those that lowered its score (its reasons,
    e.g. a `translation.mt_likelihood` measure with no evidence span) and those that flagged it."""
    fams = {str(r).split(".", 1)[0] for r in row.get("reasons", ())}
    fams |= {str(s.get("family") or s["code"].split(".", 1)[0]) for s in row.get("signals", ())}
    return " ".join(sorted(fams))


def _link(url: Any) -> str:
    text = _e(url)
    if isinstance(url, str) and url.lower().startswith(("http://", "https://")):
        return f'<a href="{text}" rel="noopener noreferrer">{text}</a>'
    return text


def write_html(
    out: TextIO,
    *,
    summary: Mapping[str, Any],
    rows: Iterable[Mapping[str, Any]],
    articles: Mapping[int, Mapping[str, Any]],
    errors: Iterable[Mapping[str, Any]] = (),
    title: str = "Article audit",
    clusters: Iterable[Mapping[str, Any]] = (),
) -> None:
    """Write the report; `rows` are result rows worst first (streamed), `articles` the kept texts by
    input position."""
    w = out.write
    w('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">')
    w(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"
    )
    w('<meta name="viewport" content="width=device-width, initial-scale=1">')
    w(f"<title>{_e(title)}</title><style>{CSS}{_family_css()}</style></head><body>\n")
    n = summary.get("documents", 0)
    mean = summary.get("mean_score")
    w(f"<header><h1>{_e(title)}</h1>")
    n_errors = summary.get("errors", 0)
    errors_text = f"{_e(n_errors)} errors"
    if n_errors:
        errors_text = f'<a href="#errors">{errors_text}</a>'
    languages = ", ".join(f"<code>{_e(k)}</code> {_e(v)}" for k, v in summary.get("languages", {}).items())
    w(
        f'<p class="summary">{_e(n)} documents scored, {errors_text}; '
        f"mean score {_e('-' if mean is None else mean)}. "
        + (f"Languages: {languages}. " if languages else "")
        + " ".join(f"{_label(k)}&nbsp;{_e(v)}" for k, v in summary.get("labels", {}).items())
        + f' <span class="muted">Generated {_e(dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))}.</span></p></header>\n'
    )
    w(
        f'<section id="chart"><h2>Score distribution</h2>{histogram_svg(list(summary.get("histogram", [])))}</section>\n'
    )
    w('<section class="legend"><h2>Evidence by family</h2>')
    w(
        "".join(
            f'<span><i class="swatch" style="background:{c}"></i>{_e(f)}</span>'
            for f, c in FAMILY_COLOURS.items()
        )
    )
    w(
        '<span><i class="swatch stripes"></i>several families (striped)</span>'
        '<p class="muted">Each article lists its flags with their message and the quoted evidence; '
        "hovering a highlight shows the same.</p></section>\n"
    )
    w('<div class="filters"><label>Label <select id="f-label"><option value="">all</option>')
    w("".join(f'<option value="{_e(name)}">{_e(name)}</option>' for _, name in BANDS))
    w('</select></label><label>Family <select id="f-family"><option value="">all</option>')
    w("".join(f'<option value="{_e(f)}">{_e(f)}</option>' for f in FAMILIES))
    w('</select></label><span class="muted"><span id="shown"></span> documents shown</span></div>\n')

    w(
        '<section id="ranked"><h2>Ranked documents (worst first)</h2><div class="scroll"><table><thead><tr><th>#</th><th>score</th><th>label</th>'
    )
    w(
        "<th>document</th><th>top reasons</th>"
        + "".join(f'<th class="fam">{_e(f)}</th>' for f in FAMILIES)
        + "</tr></thead><tbody>\n"
    )
    order: list[tuple[int, Mapping[str, Any]]] = []
    for rank, row in enumerate(rows, start=1):
        seq = int(row.get("seq", -1))
        name = _e(described(dict(row)))
        cell = f'<a href="#doc-{seq}">{name}</a>' if seq in articles else name
        doc_title = (row.get("document") or {}).get("title")
        if doc_title:
            cell += f'<br><span class="muted">{_e(doc_title)}</span>'
        w(
            f'<tr data-label="{_e(row["label"])}" data-families="{_e(_row_families(row))}"><td class="num">{rank}</td>'
            f'<td class="num">{float(row["score"]):.1f}</td><td>{_label(str(row["label"]))}</td><td>{cell}</td>'
            f'<td class="code">{"<br>".join(_e(r) for r in row.get("reasons", [])[:3]) or "-"}</td>'
            + "".join(f'<td class="num fam">{_e(row.get("families", {}).get(f, ""))}</td>' for f in FAMILIES)
            + "</tr>\n"
        )
        if seq in articles:
            order.append((rank, articles[seq]))
    w("</tbody></table></div></section>\n")

    from scorer.corpus.cluster_report import write_clusters

    write_clusters(w, clusters)
    w('<section id="articles"><h2>Articles with their evidence</h2>\n')
    for rank, art in order:
        _write_article(w, rank, art)
    w("</section>\n")
    errs = list(islice(errors, MAX_ERRORS_SHOWN + 1))
    if errs:
        total = summary.get("errors", len(errs))
        w(f'<section class="errors" id="errors"><h2>Inputs that could not be scored ({_e(total)})</h2><ul>')
        w("".join(f"<li>{_e(e.get('source'))}: {_e(e.get('error'))}</li>" for e in errs[:MAX_ERRORS_SHOWN]))
        if len(errs) > MAX_ERRORS_SHOWN:
            w(f"<li>… and {_e(total - MAX_ERRORS_SHOWN)} more (see the JSON output)</li>")
        w("</ul></section>\n")
    w(f"<script>{SCRIPT}</script></body></html>\n")


def _write_article(w: Any, rank: int, art: Mapping[str, Any]) -> None:
    row = art["row"]
    signals = [s for s in row.get("signals", ()) if s.get("evidence")]
    absent = [s for s in row.get("signals", ()) if not s.get("evidence")]
    doc = row.get("document") or {}
    w(
        f'<article id="doc-{_e(art["seq"])}" data-label="{_e(row["label"])}" data-families="{_e(_row_families(row))}">'
    )
    w(
        f"<h2>#{rank} · {float(row['score']):.1f} {_label(str(row['label']))} {_e(row.get('location') or row.get('source'))}</h2>"
    )
    meta = []
    if doc.get("title"):
        meta.append(f"<b>{_e(doc['title'])}</b>")
    if doc.get("url"):
        meta.append(_link(doc["url"]))
    if doc.get("published"):
        meta.append(f"published {_e(doc['published'])}")
    meta.append(f"language <code>{_e(row.get('language'))}</code>")
    w(f'<p class="muted">{" · ".join(meta)}</p>')
    fams = row.get("families", {})
    w(
        '<p class="families">'
        + " ".join(
            f'<i class="swatch" style="background:{FAMILY_COLOURS.get(f, OTHER_COLOUR)}"></i>{_e(f)} {_e(fams.get(f, ""))}'
            for f in FAMILIES
        )
        + "</p>"
    )
    reasons = row.get("reasons", [])
    if reasons:
        w(
            '<p class="families">Lowered by: '
            + ", ".join(f'<span class="code">{_e(r)}</span>' for r in reasons)
            + "</p>"
        )
    if signals or absent:
        w(f'<ol class="flags" aria-label="flags of document {_e(art["seq"])}">')
        w("".join(_flag_item(s) for s in [*signals, *absent]))
        w("</ol>")
    w(f'<div class="text">{highlight(str(art["text"]), signals)}</div></article>\n')


def _flag_item(s: Mapping[str, Any]) -> str:
    """One flag: its family's swatch, code, message and the quoted evidence."""
    fam = str(s.get("family") or s["code"].split(".", 1)[0])
    quotes = []
    for ev in s.get("evidence", ())[:3]:
        snippet = str(ev.get("text", ""))
        if len(snippet) > MAX_SNIPPET:
            snippet = snippet[: MAX_SNIPPET - 1] + "…"
        quotes.append(f"<q>{_e(snippet)}</q>")
    more = len(s.get("evidence", ())) - len(quotes)
    if more > 0:
        quotes.append(f'<span class="muted">and {more} more</span>')
    return (
        f'<li><i class="swatch" style="background:{FAMILY_COLOURS.get(fam, OTHER_COLOUR)}"></i>'
        f'<span class="code">{_e(s["code"])}</span>: {_e(s["message"])}'
        + (f" {' '.join(quotes)}" if quotes else "")
        + "</li>"
    )
