"""Benchmark of the scorer against what users would run instead, on the same documents in one run.

    /work/venv/bin/python bench/bench_score.py            # full run (a few minutes)
    /work/venv/bin/python bench/bench_score.py --quick    # smaller samples, for a smoke test

Prints, for ~5 KB French articles (fr_news: title + dateline + body, 4.5-5.5 KB; generated French text
when ../shared is absent):
- documents/s and per-document latency p50/p99 of full scoring (text -> Document -> Result), on one
  core and on all cores (a process pool);
- the same for HTML pages (extraction + dates sets) including the HTML -> Document step, next to
  trafilatura's extraction alone on the same pages (with the options the scorer uses), as a ratio;
- datatrove's Gopher quality + Gopher repetition + C4 + FineWeb quality chain (French stop words) on
  the same articles, as the ratio ours/theirs;
- the time per feature family (`Scorer.timed_signals`);
- peak resident memory of a loaded model, of `scorer score` on a folder, and of `scorer audit` on a
  generated folder of 10,000 files (skipped with a message while the command does not exist).

Everything random is seeded (`--seed`). The machine's load average is printed: other processes skew
the figures.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import (  # noqa: E402
    REPO,
    SHARED,
    Article,
    fr_news_articles,
    generated_articles,
    html_pages,
    machine_speed,
    sample,
)
from memory import Usage, run_measured  # noqa: E402

# Extraction options of `scorer.ingest.documents.from_html`: the floor is trafilatura doing the same work.
TRAFILATURA_OPTIONS: dict[str, Any] = {
    "with_metadata": True,
    "include_comments": False,
    "include_tables": False,
    "deduplicate": False,
}
TARGET_DOCS_PER_S = 100.0
TARGET_P99_MS = 25.0
TARGET_HTML_RATIO = 1.3
TARGET_AUDIT_MB = 400.0

# --------------------------------------------------------------------------------------------------
# Small statistics helpers


def pct(values: Sequence[float], q: float) -> float:
    """The q-th percentile (linear interpolation) of `values`."""
    if not values:
        return float("nan")
    xs = sorted(values)
    k = (len(xs) - 1) * q / 100.0
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def ms(seconds: float) -> str:
    return f"{1000 * seconds:.2f}"


class Row:
    """One line of the final figures table."""

    def __init__(self, what: str, value: str, target: str = "", ok: bool | None = None) -> None:
        self.what, self.value, self.target, self.ok = what, value, target, ok


FIGURES: list[Row] = []


def figure(what: str, value: str, target: str = "", ok: bool | None = None) -> None:
    FIGURES.append(Row(what, value, target, ok))


def cpu_line(label: str, cpu: Sequence[float]) -> str:
    """The same figures from CPU time: what the latency would be on an otherwise idle core."""
    return latency_line(label + " [CPU time]", cpu)


def latency_line(label: str, lat: Sequence[float], wall: float | None = None) -> str:
    n = len(lat)
    rate = n / wall if wall else n / sum(lat)
    return (
        f"  {label:<44} {rate:8.1f} docs/s   mean {ms(statistics.fmean(lat)):>7} ms   "
        f"p50 {ms(pct(lat, 50)):>7} ms   p99 {ms(pct(lat, 99)):>7} ms   (n={n})"
    )


# --------------------------------------------------------------------------------------------------
# Work done in pool workers (spawned processes: each builds its own scorer once)

_W: dict[str, Any] = {}


def _init_worker(kind: str, warm: list[Any], ready: Any) -> None:
    import logging

    logging.disable(logging.WARNING)
    if kind == "html":
        # The same warm-up for the trafilatura floor and for our scoring: extraction and scoring of
        # pages that are not measured, so lazy initialisation is paid before timing on both sides.
        import trafilatura

        from scorer.engine import Scorer
        from scorer.errors import ScorerError
        from scorer.ingest.documents import from_html, from_text

        # htmldate falls back to dateparser, which compiles the patterns of every locale (seconds) the
        # first time a date string matches none: pay that here so that neither side pays it inside the
        # timed pages.
        try:
            from htmldate import extractors

            extractors.get_external_parser().get_date_data("xqzw 2019 wqzx")
            _W["stock_dates"] = extractors.get_external_parser
        except ImportError:
            pass
        _W["scorer"] = Scorer()
        _W["scorer"].preload()  # the spaCy pipeline, as `scorer serve` and `scorer audit` load it at start
        for x in warm:
            if isinstance(x, str):  # a French article: loads the French models before timing
                _W["scorer"].score(from_text(x))
                continue
            trafilatura.bare_extraction(x, **TRAFILATURA_OPTIONS)
            try:
                _W["scorer"].score(from_html(x))
            except ScorerError:
                pass
        # from_html has limited htmldate's free-text date parser to the scorer's languages. trafilatura
        # alone, as its users run it, keeps htmldate's own parser: each side sets the one it runs with.
        if "stock_dates" in _W:
            from htmldate import extractors

            _W["scorer_dates"] = extractors.get_external_parser
    elif kind == "peer":
        from peer_chain import load_chain

        _W["chain"] = load_chain()[0]
        for t in warm:
            _W["chain"](t)
    else:
        from scorer.engine import Scorer
        from scorer.ingest.documents import from_text

        _W["scorer"] = Scorer()
        _W["scorer"].preload()
        for t in warm:
            _W["scorer"].score(from_text(t))
    with ready.get_lock():
        ready.value += 1


def _w_plain(item: tuple[str, str]) -> tuple[float, float]:
    from scorer.ingest.documents import from_text

    t0 = time.perf_counter()
    doc = from_text(item[1], id=item[0])
    t1 = time.perf_counter()
    _W["scorer"].score(doc)
    return t1 - t0, time.perf_counter() - t1


def _use_date_parser(which: str) -> None:
    """htmldate's free-text date parser for the next pages: its own ("stock_dates") or the scorer's."""
    if which in _W:
        from htmldate import extractors

        extractors.get_external_parser = _W[which]


def _w_html(item: tuple[str, bytes]) -> tuple[str, float, float, float] | None:
    """(page id, from_html wall time, score wall time, CPU time), None when nothing was extracted."""
    from scorer.errors import ScorerError
    from scorer.ingest.documents import from_html

    _use_date_parser("scorer_dates")
    c0 = time.thread_time()
    t0 = time.perf_counter()
    try:
        doc = from_html(item[1], id=item[0])
    except ScorerError:
        return None
    t1 = time.perf_counter()
    _W["scorer"].score(doc)
    return item[0], t1 - t0, time.perf_counter() - t1, time.thread_time() - c0


def _trafilatura_alone(item: tuple[str, bytes], dates: str) -> tuple[str, float, float]:
    import trafilatura

    _use_date_parser(dates)
    c0 = time.thread_time()
    t0 = time.perf_counter()
    trafilatura.bare_extraction(item[1], **TRAFILATURA_OPTIONS)
    return item[0], time.perf_counter() - t0, time.thread_time() - c0


def _w_trafilatura(item: tuple[str, bytes]) -> tuple[str, float, float]:
    """(page id, wall time, CPU time) of trafilatura's extraction alone, as its users run it."""
    return _trafilatura_alone(item, "stock_dates")


def _w_trafilatura_scorer_dates(item: tuple[str, bytes]) -> tuple[str, float, float]:
    """The same with the scorer's free-text date parser: the extraction work of `from_html`, exactly."""
    return _trafilatura_alone(item, "scorer_dates")


def _w_peer(item: tuple[str, str]) -> float:
    t0 = time.perf_counter()
    _W["chain"](item[1], item[0])
    return time.perf_counter() - t0


def pool_run(
    kind: str, func: Callable[[Any], Any], items: list[Any], jobs: int, warm: list[Any], repeat: int
) -> tuple[list[Any], float]:
    """Run `func` over `items` (`repeat` times) on `jobs` spawned workers, warmed up first; returns the
    per-item results and the wall time of the timed part only."""
    ctx = mp.get_context("spawn")
    ready = ctx.Value("i", 0)
    with ctx.Pool(jobs, initializer=_init_worker, initargs=(kind, warm, ready)) as pool:
        while ready.value < jobs:  # every worker has loaded its model and scored the warm-up texts
            time.sleep(0.05)
        work = items * repeat
        t0 = time.perf_counter()
        results = list(pool.imap_unordered(func, work, chunksize=2))
        wall = time.perf_counter() - t0
    return results, wall


def alternating_run(
    kind: str,
    funcs: Sequence[Callable[[Any], Any]],
    items: list[Any],
    warm: list[Any],
    chunk: int = 10,
    jobs: int = 1,
) -> tuple[list[list[Any]], list[float]]:
    """Each of `funcs` over every item of `items` once, each in its own pool of `jobs` spawned workers
    warmed up alike, one pool at a time, taking turns every `chunk` items per worker (and swapping who
    goes first every turn), so that the machine's speed drift during the run hits every side alike.
    Returns the results per side and each side's wall time (the sum of its turns)."""
    ctx = mp.get_context("spawn")
    ready = ctx.Value("i", 0)
    pools = [ctx.Pool(jobs, initializer=_init_worker, initargs=(kind, warm, ready)) for _ in funcs]
    try:
        while ready.value < len(pools) * jobs:
            time.sleep(0.05)
        out: list[list[Any]] = [[] for _ in funcs]
        walls = [0.0 for _ in funcs]
        step = chunk * jobs
        for turn, start in enumerate(range(0, len(items), step)):
            part = items[start : start + step]
            order = list(range(len(funcs)))
            for j in order if turn % 2 == 0 else order[::-1]:
                t0 = time.perf_counter()
                out[j].extend(pools[j].map(funcs[j], part, chunksize=1))
                walls[j] += time.perf_counter() - t0
        return out, walls
    finally:
        for pool in pools:
            pool.terminate()
            pool.join()


# --------------------------------------------------------------------------------------------------
# Sections


def bench_plain(arts: list[Article], warm: list[Article], jobs: int, repeat: int) -> dict[str, Any]:
    """Plain text, one core then all cores; and the time per feature family."""
    from scorer.engine import Scorer
    from scorer.ingest.documents import from_text

    print(f"\n== Plain text: {len(arts)} articles, mean {statistics.fmean(a.size for a in arts):.0f} bytes")
    scorer = Scorer()
    # Loaded now, as `scorer serve` and `scorer audit` load it at start-up: else the first article that
    # needs the spaCy pipeline would pay its loading (seconds) inside the timed pass.
    scorer.preload()
    families = sorted({f.family for f in scorer.features})
    print(
        f"  features: {len(scorer.features)} ({', '.join(f'{fam}:{sum(f.family == fam for f in scorer.features)}' for fam in families)})"
    )
    for a in warm:
        scorer.score(from_text(a.text))

    build, score, cpu, labels = [], [], [], Counter()
    t_start = time.perf_counter()
    for a in arts:
        c0 = time.thread_time()
        t0 = time.perf_counter()
        doc = from_text(a.text, id=a.id)
        t1 = time.perf_counter()
        res = scorer.score(doc)
        t2 = time.perf_counter()
        cpu.append(time.thread_time() - c0)
        build.append(t1 - t0)
        score.append(t2 - t1)
        labels[res.label] += 1
    wall1 = time.perf_counter() - t_start
    total = [b + s for b, s in zip(build, score, strict=True)]
    print(latency_line("1 core, text -> Result (build + score)", total, wall1))
    print(cpu_line("1 core, text -> Result", cpu))
    print(latency_line("1 core, Scorer.score on a built Document", score))
    print(latency_line("1 core, from_text (normalise, language, split)", build))
    print(f"  labels: {dict(sorted(labels.items()))}")

    results, wall_n = pool_run(
        "score", _w_plain, [(a.id, a.text) for a in arts], jobs, [a.text for a in warm], repeat
    )
    total_n = [b + s for b, s in results]
    print(latency_line(f"{jobs} cores (process pool), text -> Result", total_n, wall_n))

    # Time per family, on fresh Documents (the memo starts empty as in real use).
    fam_times: dict[str, list[float]] = {}
    model_t: list[float] = []
    for a in arts:
        doc = from_text(a.text, id=a.id)
        sigs, times = scorer.timed_signals(doc)
        for fam, t in times.items():
            fam_times.setdefault(fam, []).append(t)
        t0 = time.perf_counter()
        scorer.score(doc, signals=sigs)
        model_t.append(time.perf_counter() - t0)
    print("\n  time per family on the same articles (Scorer.timed_signals; one core):")
    print(f"  {'family':<28} {'mean ms':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'share':>6}")
    rows = [("document build (from_text)", build)] + sorted(fam_times.items(), key=lambda kv: -sum(kv[1]))
    rows.append(("model + result (score(signals=))", model_t))
    grand = sum(sum(v) for _, v in rows)
    for name, v in rows:
        print(
            f"  {name:<28} {ms(statistics.fmean(v)):>8} {ms(pct(v, 50)):>8} {ms(pct(v, 99)):>8} {ms(max(v)):>8} {100 * sum(v) / grand:5.1f}%"
        )
        figure(f"time in {name}, mean / p99 per article", f"{ms(statistics.fmean(v))} / {ms(pct(v, 99))} ms")

    rate1 = len(total) / wall1
    rate_cpu = len(cpu) / sum(cpu)
    figure(
        "plain text 5 KB fr, 1 core: docs/s",
        f"{rate1:.1f}",
        f">= {TARGET_DOCS_PER_S:.0f}",
        rate1 >= TARGET_DOCS_PER_S,
    )
    figure(
        "plain text 5 KB fr, 1 core: p50 / p99 latency",
        f"{ms(pct(total, 50))} / {ms(pct(total, 99))} ms",
        f"p99 < {TARGET_P99_MS:.0f} ms",
        pct(total, 99) * 1000 < TARGET_P99_MS,
    )
    figure(
        "plain text 5 KB fr, 1 core, from CPU time: docs/s",
        f"{rate_cpu:.1f}",
        f">= {TARGET_DOCS_PER_S:.0f}",
        rate_cpu >= TARGET_DOCS_PER_S,
    )
    figure(
        "plain text 5 KB fr, 1 core, from CPU time: p50 / p99 latency",
        f"{ms(pct(cpu, 50))} / {ms(pct(cpu, 99))} ms",
        f"p99 < {TARGET_P99_MS:.0f} ms",
        pct(cpu, 99) * 1000 < TARGET_P99_MS,
    )
    figure(f"plain text 5 KB fr, {jobs} cores: docs/s", f"{len(total_n) / wall_n:.1f}")
    figure(
        f"plain text 5 KB fr, {jobs} cores: p50 / p99 latency",
        f"{ms(pct(total_n, 50))} / {ms(pct(total_n, 99))} ms",
    )
    return {"total": total, "cpu": cpu, "wall1": wall1, "rate_n": len(total_n) / wall_n}


def bench_html(
    pages: list[Article], warm: list[Article], warm_texts: list[str], jobs: int, repeat: int
) -> None:
    """HTML pages: trafilatura alone against HTML -> Document -> Result.

    Each side runs in its own fresh process (one worker for the one-core figures): trafilatura keeps
    per-line caches, so a side that ran second in the same process would be favoured. On one core the
    two processes take turns every 10 pages (`alternating_run`): run one after the other, the machine's
    drift between them moved the ratio between 1.17x and 1.49x over five runs of the same code.

    The floor is trafilatura as its users run it, with htmldate's own free-text date parser; the scorer
    limits that parser to its languages (`scorer.ingest.documents.DATE_TEXT_LANGUAGES`), so a third process
    runs trafilatura with the scorer's parser: the ratio to it is the scorer's work beyond extraction.
    """
    langs = Counter(p.lang for p in pages)
    print(
        f"\n== HTML pages: {len(pages)} pages, mean {statistics.fmean(p.size for p in pages) / 1024:.0f} KB, languages {dict(langs.most_common(6))}"
    )
    print(
        f"  floor: trafilatura.bare_extraction(html, {', '.join(f'{k}={v}' for k, v in TRAFILATURA_OPTIONS.items())})"
    )
    items = [(p.id, p.html) for p in pages]
    warm_html: list[Any] = [p.html for p in warm] + warm_texts
    (traf_r, same_r, ours_r), _ = alternating_run(
        "html", [_w_trafilatura, _w_trafilatura_scorer_dates, _w_html], items, warm_html
    )
    ok = {r[0] for r in ours_r if r is not None}
    print(f"  pages without extractable text (left out of both): {len(items) - len(ok)}")
    traf = [r[1] for r in traf_r if r[0] in ok]
    traf_cpu = [r[2] for r in traf_r if r[0] in ok]
    same = [r[1] for r in same_r if r[0] in ok]
    ours_ok = [r for r in ours_r if r is not None]
    build = [r[1] for r in ours_ok]
    score = [r[2] for r in ours_ok]
    ours = [r[1] + r[2] for r in ours_ok]
    ours_cpu = [r[3] for r in ours_ok]
    print(latency_line("1 core, trafilatura extraction alone", traf))
    print(latency_line("1 core, the same with the scorer's date parser", same))
    print(latency_line("1 core, HTML -> Result (from_html + score)", ours))
    print(latency_line("1 core, from_html (extraction, metadata, lang)", build))
    print(latency_line("1 core, Scorer.score on the built Document", score))
    print(cpu_line("1 core, trafilatura alone", traf_cpu))
    print(cpu_line("1 core, HTML -> Result", ours_cpu))
    ratio = sum(ours) / sum(traf)
    ratio_p50 = pct(ours, 50) / pct(traf, 50)
    ratio_cpu = sum(ours_cpu) / sum(traf_cpu)
    print(
        f"  ratio ours / trafilatura: total time {ratio:.2f}x, median page {ratio_p50:.2f}x, CPU time {ratio_cpu:.2f}x "
        f"(target <= {TARGET_HTML_RATIO}x)"
    )
    from scorer.ingest.documents import DATE_TEXT_LANGUAGES

    ratio_same = sum(ours) / sum(same)
    print(
        f"  ratio ours / trafilatura with the scorer's date parser (htmldate's free-text dates read in "
        f"{len(DATE_TEXT_LANGUAGES)} languages instead of every locale): {ratio_same:.2f}x"
    )

    # All cores: the two sides' pools also take turns (every 10 pages per worker), for the same reason.
    (traf_n, ours_n_raw), (wall_t, wall_o) = alternating_run(
        "html", [_w_trafilatura, _w_html], items * repeat, warm_html, jobs=jobs
    )
    print(latency_line(f"{jobs} cores, trafilatura extraction alone", [r[1] for r in traf_n], wall_t))
    print(
        latency_line(
            f"{jobs} cores, HTML -> Result", [r[1] + r[2] for r in ours_n_raw if r is not None], wall_o
        )
    )
    print(f"  ratio ours / trafilatura on {jobs} cores (wall): {wall_o / wall_t:.2f}x")

    figure(
        "HTML pages, 1 core: trafilatura alone docs/s, p50 / p99",
        f"{len(traf) / sum(traf):.1f}, {ms(pct(traf, 50))} / {ms(pct(traf, 99))} ms",
    )
    figure(
        "HTML pages, 1 core: HTML -> Result docs/s, p50 / p99",
        f"{len(ours) / sum(ours):.1f}, {ms(pct(ours, 50))} / {ms(pct(ours, 99))} ms",
    )
    figure(
        "HTML, ratio full scoring / trafilatura alone (1 core, total)",
        f"{ratio:.2f}x",
        f"<= {TARGET_HTML_RATIO}x",
        ratio <= TARGET_HTML_RATIO,
    )
    figure(
        "HTML, ratio full scoring / trafilatura with the scorer's date parser (1 core)", f"{ratio_same:.2f}x"
    )
    figure(
        "HTML, ratio full scoring / trafilatura alone (1 core, CPU time)",
        f"{ratio_cpu:.2f}x",
        f"<= {TARGET_HTML_RATIO}x",
        ratio_cpu <= TARGET_HTML_RATIO,
    )
    figure(
        f"HTML, ratio full scoring / trafilatura alone ({jobs} cores, wall)",
        f"{wall_o / wall_t:.2f}x",
        f"<= {TARGET_HTML_RATIO}x",
        wall_o / wall_t <= TARGET_HTML_RATIO,
    )


def bench_peers(
    arts: list[Article],
    warm: list[Article],
    ours_total: list[float],
    ours_cpu: list[float],
    ours_rate_n: float,
    jobs: int,
    repeat: int,
) -> None:
    """datatrove's heuristic chain on the same articles."""
    try:
        from peer_chain import load_chain

        chain, source = load_chain()
    except ImportError as e:
        print(f"\n== datatrove chain: skipped ({e}; install the optional extra: pip install datatrove)")
        return
    print(f"\n== {getattr(chain, 'name', 'peer chain')} on the same {len(arts)} articles ({source})")
    for a in warm:
        chain(a.text)
    lat, cpu, reasons = [], [], Counter()
    t_start = time.perf_counter()
    for a in arts:
        c0 = time.thread_time()
        t0 = time.perf_counter()
        reason = chain(a.text, a.id)
        lat.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
        reasons[reason or "kept"] += 1
    wall = time.perf_counter() - t_start
    print(latency_line("1 core, datatrove chain", lat, wall))
    print(cpu_line("1 core, datatrove chain", cpu))
    print(f"  outcome: {dict(reasons.most_common())}")
    res_n, wall_n = pool_run(
        "peer", _w_peer, [(a.id, a.text) for a in arts], jobs, [a.text for a in warm], repeat
    )
    print(latency_line(f"{jobs} cores, datatrove chain", res_n, wall_n))
    r1 = statistics.fmean(ours_total) / statistics.fmean(lat)
    r_cpu = statistics.fmean(ours_cpu) / statistics.fmean(cpu)
    rn = (len(res_n) / wall_n) / ours_rate_n
    print(
        f"  ratio ours / datatrove per document: mean {r1:.2f}x, median {pct(ours_total, 50) / pct(lat, 50):.2f}x, "
        f"CPU time {r_cpu:.2f}x; on {jobs} cores {rn:.2f}x"
    )
    figure(
        "datatrove chain (fr), 1 core: docs/s, p50 / p99",
        f"{len(lat) / wall:.1f}, {ms(pct(lat, 50))} / {ms(pct(lat, 99))} ms",
    )
    figure("ratio ours / datatrove chain, time per document (1 core)", f"{r1:.2f}x")
    figure("ratio ours / datatrove chain, CPU time per document (1 core)", f"{r_cpu:.2f}x")
    figure(f"ratio ours / datatrove chain, time per document ({jobs} cores)", f"{rn:.2f}x")


def bench_memory(arts: list[Article], pages: list[Article], args: argparse.Namespace) -> None:
    """Peak RSS of a loaded model, of `scorer score` on a folder, and of `scorer audit` on 10,000 files."""
    py = sys.executable
    print(
        "\n== Peak resident memory of child processes: largest single process (GNU time %M), and the process tree's\n"
        "   summed RSS and summed PSS (shared pages counted once), sampled every 50 ms"
    )
    with tempfile.TemporaryDirectory(prefix="bench-score-") as tmp:
        folder = Path(tmp) / "articles"
        folder.mkdir()
        for a in arts:
            (folder / f"{a.id}.txt").write_text(a.text, encoding="utf-8")
        code = (
            "import sys; from scorer.engine import Scorer; from scorer.ingest.documents import from_text; "
            "s = Scorer(); s.preload(); s.score(from_text(open(sys.argv[1], encoding='utf-8').read()))"
        )
        u = run_measured([py, "-c", code, str(next(folder.iterdir()))], cwd=str(REPO))
        print(
            f"  loaded model (Scorer() with its spaCy pipeline preloaded + one article scored): {u.max_process_mb:.0f} MB  (rc {u.returncode})"
        )
        figure(
            "peak RSS, loaded model (Scorer, spaCy preloaded, + one article)", f"{u.max_process_mb:.0f} MB"
        )
        u = run_measured([py, "-c", "import scorer.engine, scorer.ingest.documents"], cwd=str(REPO))
        print(f"  for reference, python + scorer imports only: {u.max_process_mb:.0f} MB")
        cmd = [py, "-m", "scorer.cli", "score", str(folder), "--format", "jsonl"]
        u = run_measured(cmd, cwd=str(REPO))
        print(
            f"  scorer score <folder of {len(arts)} .txt> --format jsonl: {u.max_process_mb:.0f} MB max process, "
            f"tree {_tree(u)}, {u.wall_s:.1f} s, rc {u.returncode}"
        )
        figure(f"peak RSS, `scorer score` on a folder of {len(arts)} articles", f"{u.max_process_mb:.0f} MB")
        if u.returncode not in (0, 1):
            print("  stderr: " + u.stderr_tail.strip()[-500:])
        if args.skip_audit:
            print("  scorer audit: skipped (--skip-audit)")
            return
        if not _has_command("audit"):
            print("  scorer audit: skipped: the `audit` command does not exist yet in scorer.cli")
            figure(
                "peak RSS, `scorer audit` on 10,000 files",
                "skipped (no audit command)",
                f"< {TARGET_AUDIT_MB:.0f} MB",
            )
            return
        big = Path(tmp) / "audit"
        n_html = make_audit_folder(big, args.audit_files, args.seed, pages)
        cmd = [py, "-m", "scorer.cli", "audit", str(big)]
        u = run_measured(cmd, cwd=str(REPO))
        print(
            f"  scorer audit <folder of {args.audit_files} files, {n_html} of them HTML> (default options, {os.cpu_count()} cores): "
            f"{u.max_process_mb:.0f} MB max process, tree {_tree(u)}, {u.wall_s:.1f} s "
            f"({args.audit_files / u.wall_s:.0f} files/s), rc {u.returncode}"
        )
        if u.returncode not in (0, 1):
            print("  stderr: " + u.stderr_tail.strip()[-500:])
        tree = u.tree_pss_peak_mb if u.tree_pss_peak_mb is not None else u.max_process_mb
        figure(
            f"peak RSS, `scorer audit` on {args.audit_files:,} files (max process)",
            f"{u.max_process_mb:.0f} MB",
            f"< {TARGET_AUDIT_MB:.0f} MB",
            u.max_process_mb < TARGET_AUDIT_MB,
        )
        figure(
            f"peak memory, `scorer audit` on {args.audit_files:,} files (all processes, summed PSS)",
            f"{tree:.0f} MB",
            f"< {TARGET_AUDIT_MB:.0f} MB",
            tree < TARGET_AUDIT_MB,
        )
        figure(
            f"`scorer audit` on {args.audit_files:,} files: wall time",
            f"{u.wall_s:.1f} s ({args.audit_files / u.wall_s:.0f} files/s)",
        )


def _tree(u: Usage) -> str:
    if u.tree_peak_mb is None:
        return "n/a"
    pss = f", PSS {u.tree_pss_peak_mb:.0f} MB" if u.tree_pss_peak_mb is not None else ""
    return f"RSS {u.tree_peak_mb:.0f} MB{pss}"


def _has_command(name: str) -> bool:
    from scorer.cli import build_parser

    parser = build_parser()
    for action in parser._actions:  # argparse keeps subcommands in its private action list
        choices = getattr(action, "choices", None)
        if isinstance(choices, dict) and name in choices:
            return True
    return False


def make_audit_folder(root: Path, n: int, seed: int, pages: list[Article]) -> int:
    """`n` files in subfolders of 500: mostly .txt, one in ten .json record, one in ten .md, and one in
    ten .html when pages are available. Returns the number of HTML files."""
    import random

    rng = random.Random(seed)
    if (SHARED / "data/fr_news").exists():
        inside, outside = fr_news_articles(SHARED, 0, 1 << 30)
        pool = inside + outside
    else:
        pool = generated_articles(200, seed)
    n_html = 0
    for i in range(n):
        sub = root / f"batch{i // 500:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        a = pool[rng.randrange(len(pool))]
        kind = i % 10
        if kind == 0:
            title, _, body = a.text.partition("\n\n")
            rec = {
                "id": f"doc{i}",
                "title": title,
                "text": body,
                "url": f"https://example.org/{i}",
                "published": "2020-05-04",
            }
            (sub / f"doc{i:05d}.json").write_text(json.dumps(rec, ensure_ascii=False), encoding="utf-8")
        elif kind == 1:
            (sub / f"doc{i:05d}.md").write_text("# " + a.text, encoding="utf-8")
        elif kind == 2 and pages:
            (sub / f"doc{i:05d}.html").write_bytes(pages[rng.randrange(len(pages))].html)
            n_html += 1
        else:
            (sub / f"doc{i:05d}.txt").write_text(a.text, encoding="utf-8")
    return n_html


# --------------------------------------------------------------------------------------------------


def git_head() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--", "features", "scorer"],
            capture_output=True,
            text=True,
        )
        return out.stdout.strip() + (" + uncommitted changes" if dirty.stdout.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def print_figures() -> None:
    print("\n== Figures\n")
    if not FIGURES:
        return
    w = max(len(r.what) for r in FIGURES)
    v = max(len(r.value) for r in FIGURES)
    print(f"| {'figure':<{w}} | {'value':<{v}} | target |")
    print(f"|{'-' * (w + 2)}|{'-' * (v + 2)}|--------|")
    for r in FIGURES:
        mark = "" if r.ok is None else (" ok" if r.ok else " MISSED")
        print(f"| {r.what:<{w}} | {r.value:<{v}} | {r.target}{mark} |")


def main(argv: Iterable[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--n", type=int, default=0, help="articles to use (default: every fr_news article of 4.5-5.5 KB)"
    )
    p.add_argument(
        "--html-n",
        type=int,
        default=150,
        help="HTML pages to use (default 150: every French page, then a seeded sample)",
    )
    p.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="processes for the all-cores figures (default: all cores)",
    )
    p.add_argument(
        "--repeat", type=int, default=3, help="passes over the documents in the process-pool runs (default 3)"
    )
    p.add_argument(
        "--audit-files", type=int, default=10_000, help="files in the generated audit folder (default 10,000)"
    )
    p.add_argument("--seed", type=int, default=20240501)
    p.add_argument("--shared", type=Path, default=SHARED, help="the shared data folder (default: ../shared)")
    p.add_argument(
        "--quick",
        action="store_true",
        help="small samples: 40 articles, 20 pages, 1,000 audit files, 1 pool pass",
    )
    for part in ("plain", "html", "peers", "memory", "audit"):
        p.add_argument(f"--skip-{part}", action="store_true", help=f"skip the {part} benchmark")
    args = p.parse_args(list(argv) if argv is not None else None)
    if args.quick:
        args.n, args.html_n, args.audit_files, args.repeat = (
            args.n or 40,
            min(args.html_n, 20),
            min(args.audit_files, 1000),
            1,
        )

    import logging

    logging.disable(logging.WARNING)  # the benchmark prints its figures; feature warnings would interleave
    print(
        f"bench_score: {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}, {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cores, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, commit {git_head()}"
    )
    print(f"command: {' '.join([Path(sys.executable).as_posix(), *sys.argv])}")
    speed_start = machine_speed()
    print(f"machine speed (bench/corpus.py machine_speed, passes/s of a fixed workload): {speed_start}")

    shared = args.shared
    if (shared / "data/fr_news").exists():
        inside, outside = fr_news_articles(shared)
        arts = sample(inside, args.n, args.seed)
        warm = sample(outside, 20, args.seed)
        print(
            f"articles: {len(arts)} of {len(inside)} fr_news articles of 4.5-5.5 KB (title + dateline + body); warm-up on 20 others"
        )
    else:
        print(f"articles: {shared} not found: using generated French text (seed {args.seed})")
        gen = generated_articles((args.n or 150) + 20, args.seed)
        arts, warm = gen[:-20], gen[-20:]

    plain: dict[str, Any] | None = None
    if args.skip_plain:
        print("\n== Plain text: skipped (--skip-plain)")
    else:
        plain = bench_plain(arts, warm, args.jobs, args.repeat)

    pages: list[Article] = []
    if any((shared / s).exists() for s in ("data/extraction", "data/dates")):
        got = html_pages(shared, args.html_n + 5, args.seed)
        pages, warm_pages = got[:-5], got[-5:]
    if args.skip_html:
        print("\n== HTML pages: skipped (--skip-html)")
    elif not pages:
        print(f"\n== HTML pages: skipped: no HTML pages under {shared}/data/extraction or dates")
    else:
        bench_html(pages, warm_pages, [a.text for a in warm], args.jobs, args.repeat)

    if args.skip_peers or plain is None:
        print(
            "\n== datatrove chain: skipped (--skip-peers, or the plain-text figures it is compared with were skipped)"
        )
    else:
        bench_peers(arts, warm, plain["total"], plain["cpu"], plain["rate_n"], args.jobs, args.repeat)

    if args.skip_memory:
        print("\n== memory: skipped (--skip-memory)")
    else:
        bench_memory(arts, pages, args)

    print(f"\nload average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    figure(
        "machine speed at the start / end (passes/s of a fixed workload, no project code)",
        f"{speed_start} / {machine_speed()}",
    )
    print_figures()
    return 0


if __name__ == "__main__":
    sys.exit(main())
