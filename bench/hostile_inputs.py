"""Scoring time on crafted (hostile) inputs at growing sizes, for one or more source trees.

Each case is scored in its own process (PYTHONPATH set to the tree), after a warm-up document, and
stopped after `--timeout` CPU seconds: a case that does not finish prints ">30 s" instead of being waited
for. Times are CPU seconds of the scoring process (building the Document, then scoring it), so that a
busy machine changes them little.
A linear case takes about twice as long at twice the size; a quadratic one four times as long.

/work/main/.venv/bin/python bench/hostile_inputs.py                                  # this tree
/work/main/.venv/bin/python bench/hostile_inputs.py --tree before=/tmp/before --tree after=.
/work/main/.venv/bin/python bench/hostile_inputs.py --cases qmarks,html_attrs --sizes 20000,40000
/work/main/.venv/bin/python bench/hostile_inputs.py --cases qmarks --features     # and the slowest features
"""

from __future__ import annotations

import argparse
import json
import os
import random
import select
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

_WORDS = (
    "le gouvernement a annoncé mardi une réforme des retraites qui doit entrer en vigueur dès janvier "
    "prochain selon le ministre du travail les syndicats ont appelé à la grève dans plusieurs villes "
    "tandis que le patronat salue une mesure attendue depuis longtemps par les entreprises du secteur "
    "la région a enregistré une hausse de la fréquentation touristique cet été avec des hôtels complets "
    "et des restaurants qui peinent à recruter du personnel qualifié pour la saison"
).split()


def plain_article(n: int, seed: int = 7) -> str:
    """About `n` characters of ordinary French prose (seeded): capitalised sentences in paragraphs."""
    rng = random.Random(seed)
    paras: list[str] = []
    size = 0
    while size < n:
        sents = [
            " ".join(rng.choices(_WORDS, k=rng.randint(8, 24))).capitalize() + rng.choice("....?!")
            for _ in range(rng.randint(2, 5))
        ]
        para = " ".join(sents)
        paras.append(para)
        size += len(para) + 2
    return "\n\n".join(paras)[:n] + "\n"


def html_attrs(n: int) -> str:
    """One start tag carrying as many attributes as fit in `n` characters, then a short article."""
    attrs = " ".join(f'a{i}="v"' for i in range(n // 7))
    body = "<p>" + plain_article(2000).replace("\n\n", "</p><p>") + "</p>"
    return f"<html><head><title>T</title></head><body><div {attrs}>x</div><article>{body}</article></body></html>"


def html_long_tag(n: int) -> str:
    """One start tag whose single attribute value is `n` characters long."""
    body = "<p>" + plain_article(2000).replace("\n\n", "</p><p>") + "</p>"
    return f'<html><body><div data-x="{"x" * n}">x</div><article>{body}</article></body></html>'


def html_nested(n: int) -> str:
    """`n` // 5 nested <div> elements around a short article."""
    body = "<p>" + plain_article(2000).replace("\n\n", "</p><p>") + "</p>"
    depth = n // 5
    return f"<html><body>{'<div>' * depth}<article>{body}</article>{'</div>' * depth}</body></html>"


# name -> (kind, language, generator of about n characters)
CASES: dict[str, tuple[str, str, Callable[[int], str]]] = {
    "plain_article": ("text", "fr", plain_article),
    "published_blanks": ("text", "fr", lambda n: "Publié le" + " " * n + "x"),
    "published_blanks_en": ("text", "en", lambda n: "Published" + " " * n + "x"),
    "date_label_blanks": ("text", "fr", lambda n: "Article.\nDate :" + " " * n + "x\nSuite."),
    "byline_blanks": ("text", "fr", lambda n: "Par" + " " * n + "X"),
    "qmarks": ("text", "fr", lambda n: "?!" * (n // 2)),
    "dots": ("text", "fr", lambda n: "." * n),
    "blanks": ("text", "fr", lambda n: "a" + " " * n + "b"),
    "blank_lines": ("text", "fr", lambda n: "a" + " \n" * (n // 2) + "b"),
    "dashes_bullets": ("text", "fr", lambda n: "- • * " * (n // 6) + "x"),
    "labels": ("text", "fr", lambda n: "Publié le Date : Par Source : " * (n // 30)),
    "label_lines": ("text", "fr", lambda n: "Publié le\nDate :\nPar\nSource :\n" * (n // 36)),
    "punctuation": ("text", "fr", lambda n: ".,;:!?«»\"()-–…'’" * (n // 16)),
    "digits": ("text", "fr", lambda n: "12 " * (n // 3)),
    "long_word": ("text", "fr", lambda n: "A" + "a" * n),
    "capitals": ("text", "fr", lambda n: "Ab " * (n // 3)),
    "html_attrs": ("html", "fr", html_attrs),
    "html_long_attr": ("html", "fr", html_long_tag),
    "html_nested": ("html", "fr", html_nested),
}
DEFAULT_SIZES = (20_000, 40_000)


class _Scoring:
    """The warmed-up scorer of a child process, scoring one case at a time."""

    def __init__(self) -> None:
        import logging

        logging.disable(logging.WARNING)
        # The older layout first: an editable install of a newer tree would lend its `scorer.ingest` to
        # an older package.
        try:
            from scorer.documents import from_html, from_text  # before the ingest room
        except ImportError:
            from scorer.ingest.documents import from_html, from_text

        from scorer.engine import Scorer

        self.from_html, self.from_text = from_html, from_text
        self.scorer = Scorer()
        self.scorer.score(from_text(plain_article(3000), language="fr"))  # warm-up: lexicons, models, caches

    def run(self, case: str, size: int, features: bool) -> dict[str, object]:
        """CPU seconds to build the Document of `case` at `size` and to score it."""
        kind, lang, make = CASES[case]
        data = make(size)
        build = self.from_html if kind == "html" else self.from_text
        t0 = time.process_time()
        doc = build(data, language=lang)
        t1 = time.process_time()
        result = self.scorer.score(doc)
        t2 = time.process_time()
        out: dict[str, object] = {
            "build": t1 - t0,
            "score": t2 - t1,
            "total": t2 - t0,
            "chars": len(doc.text),
            "result": result.score,
        }
        if features:
            per: dict[str, float] = {}
            doc = build(data, language=lang)
            for f in self.scorer.features:
                a = time.process_time()
                f.run(doc)
                per[f.name] = round(time.process_time() - a, 4)
            out["features"] = dict(sorted(per.items(), key=lambda kv: -kv[1])[:6])
        return out


def child() -> None:
    """Serve cases read from stdin ("CASE SIZE FEATURES" lines), one JSON line each on stdout; "ready"
    first, once warmed up, so that the parent times the cases and not the imports."""
    scoring = _Scoring()
    print("ready", flush=True)
    for line in sys.stdin:
        case, size, features = line.split()
        try:
            out = scoring.run(case, int(size), features == "1")
        except Exception as e:  # a refused input (ScorerError) is an outcome too: print it as the cell
            out = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(out), flush=True)


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of process `pid` (Linux /proc); None where /proc is not available."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Runner:
    """A child process importing one tree; restarted after a case had to be stopped."""

    def __init__(self, tree: Path) -> None:
        self.tree = tree
        self.proc: subprocess.Popen[str] | None = None

    def _start(self) -> subprocess.Popen[str]:
        env = {**os.environ, "PYTHONPATH": str(self.tree)}
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child"]
        proc = subprocess.Popen(
            cmd, env=env, cwd=self.tree, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None
        if proc.stdout.readline().strip() != "ready":
            proc.kill()
            proc.wait()
            raise SystemExit(f"{self.tree}: the scoring process did not start")
        return proc

    def run(self, case: str, size: int, timeout: float, features: bool) -> dict[str, object] | None:
        """One case; None when it used more than `timeout` CPU seconds (wall seconds where /proc is
        missing). CPU time, not wall time: on a shared machine wall time mostly measures the others."""
        if self.proc is None or self.proc.poll() is not None:
            self.proc = self._start()
        proc = self.proc
        assert proc.stdin is not None and proc.stdout is not None
        cpu0, wall0 = _cpu_seconds(proc.pid), time.monotonic()
        proc.stdin.write(f"{case} {size} {int(features)}\n")
        proc.stdin.flush()
        fd = proc.stdout.fileno()
        buf = b""
        while not buf.endswith(b"\n"):
            if select.select([fd], [], [], 0.05)[0]:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    code = proc.wait()
                    self.proc = None
                    return {"error": f"the scoring process ended with code {code}"}
                buf += chunk
                continue
            cpu = _cpu_seconds(proc.pid)
            used = cpu - cpu0 if cpu is not None and cpu0 is not None else time.monotonic() - wall0
            if used > timeout:
                self.close()
                return None
        res: dict[str, object] = json.loads(buf)
        return None if "total" in res and float(res["total"]) > timeout else res  # type: ignore[arg-type]

    def close(self) -> None:
        """End the child process."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


def _cell(res: dict[str, object] | None, timeout: float) -> str:
    if res is None:
        return f">{timeout:.0f} s"
    if "error" in res:
        return str(res["error"])[:40]
    return f"{float(res['total']):.3f} s"  # type: ignore[arg-type]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--tree", action="append", default=[], help="NAME=PATH of a source tree (default: this one)"
    )
    p.add_argument("--cases", default=",".join(CASES))
    p.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="characters, comma-separated")
    p.add_argument("--timeout", type=float, default=30.0, help="CPU seconds per case before it is stopped")
    p.add_argument("--features", action="store_true", help="also time each feature (slowest six)")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        child()
        return 0
    trees = [t.split("=", 1) for t in args.tree] or [["tree", str(REPO)]]
    sizes = [int(s) for s in args.sizes.split(",")]
    cases = [c for c in args.cases.split(",") if c]
    unknown = [c for c in cases if c not in CASES]
    if unknown:
        p.error(f"unknown cases: {', '.join(unknown)}; known: {', '.join(CASES)}")
    runners = [Runner(Path(path).resolve()) for _, path in trees]
    print(f"{'case (CPU s)':<22}{'chars':>9}  " + "".join(f"{name:>14}" for name, _ in trees), flush=True)
    try:
        for case in cases:
            for size in sizes:
                cells = []
                for runner in runners:
                    res = runner.run(case, size, args.timeout, args.features)
                    cells.append(_cell(res, args.timeout))
                    if args.features and res and "features" in res:
                        print("   ", runner.tree, res["features"], file=sys.stderr, flush=True)
                print(f"{case:<22}{size:>9}  " + "".join(f"{c:>14}" for c in cells), flush=True)
    finally:
        for runner in runners:
            runner.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
