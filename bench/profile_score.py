"""Where the time goes when scoring ~5 KB French articles: per feature class, then a profile.

/work/venv/bin/python bench/profile_score.py                  # per-feature table + cProfile top
/work/venv/bin/python bench/profile_score.py --pyinstrument   # call tree instead of cProfile
/work/venv/bin/python bench/profile_score.py --html           # HTML pages (from_html + score)
"""

from __future__ import annotations

import argparse
import cProfile
import io
import logging
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import SHARED, fr_news_articles, generated_articles, html_pages, sample  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=0)
    p.add_argument("--html", action="store_true")
    p.add_argument("--html-n", type=int, default=40)
    p.add_argument("--top", type=int, default=30)
    p.add_argument("--pyinstrument", action="store_true")
    p.add_argument("--seed", type=int, default=20240501)
    p.add_argument("--shared", type=Path, default=SHARED)
    args = p.parse_args()
    logging.disable(logging.WARNING)

    from scorer.engine import Scorer
    from scorer.errors import ScorerError
    from scorer.ingest.documents import from_html, from_text

    if args.html:
        pages = html_pages(args.shared, args.html_n, args.seed)

        def build_all() -> list:
            out = []
            for a in pages:
                try:
                    out.append(from_html(a.html, id=a.id))
                except ScorerError:
                    pass
            return out
    else:
        if (args.shared / "data/fr_news").exists():
            arts = sample(fr_news_articles(args.shared)[0], args.n, args.seed)
        else:
            arts = generated_articles(args.n or 150, args.seed)

        def build_all() -> list:
            return [from_text(a.text, id=a.id) for a in arts]

    scorer = Scorer()
    scorer.preload()  # the spaCy pipeline, as the CLI's audit and the API load it at start-up
    for d in build_all()[:30]:  # fills the per-process caches before timing
        scorer.score(d)

    # Per feature class, on fresh documents.
    docs = build_all()
    per: dict[str, list[float]] = {}
    for d in docs:
        for f in scorer.features:
            t0 = time.thread_time()  # CPU time: the machine may be shared
            f.run(d)
            per.setdefault(f"{f.family}.{f.name}", []).append(time.thread_time() - t0)
    total = sum(sum(v) for v in per.values())
    print(
        f"per feature on {len(docs)} documents (fresh, in registry order; shared memo work is charged to the first user):"
    )
    print(f"  {'feature':<48} {'mean ms':>8} {'p99 ms':>8} {'max ms':>8} {'share':>6}")
    for name, v in sorted(per.items(), key=lambda kv: -sum(kv[1])):
        xs = sorted(v)
        print(
            f"  {name:<48} {1000 * statistics.fmean(v):8.3f} {1000 * xs[int(0.99 * (len(xs) - 1))]:8.3f} {1000 * xs[-1]:8.3f} {100 * sum(v) / total:5.1f}%"
        )
    print(f"  {'all features':<48} {1000 * total / len(docs):8.3f}")

    docs = build_all()

    def work() -> None:
        for d in docs:
            scorer.score(d)

    if args.pyinstrument:
        from pyinstrument import Profiler

        prof = Profiler(interval=0.0005)
        prof.start()
        work()
        prof.stop()
        print(prof.output_text(unicode=False, color=False, show_all=False))
        return 0
    pr = cProfile.Profile()
    pr.enable()
    work()
    pr.disable()
    for key in ("tottime", "cumulative"):
        s = io.StringIO()
        pstats.Stats(pr, stream=s).sort_stats(key).print_stats(args.top)
        print(f"\n== cProfile by {key}\n" + "\n".join(s.getvalue().splitlines()[4:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
