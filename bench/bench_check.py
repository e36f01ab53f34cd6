"""Throughput and memory of `scorer check` on a generated JSONL corpus.

Generates synthetic articles (French and English, from templates written for this benchmark, with
and without the artefacts the scorer flags), then runs `scorer check` on 10,000 and 100,000 of them
with 1 and 2 jobs, and prints documents per second and peak resident memory: the largest single
process and the whole process tree (main process + workers, sampled from /proc).
Memory must stay flat as the input grows: the gate streams.

    python bench/bench_check.py                     # 10,000 and 100,000 documents, 1 and 2 jobs
    python bench/bench_check.py --sizes 2000 --jobs 1 2
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

FR = {
    "lead": [
        "La mairie de {city} a annoncé {day} un plan de {n} millions d'euros pour {topic_fr}.",
        "Le conseil régional a voté {day} une aide de {n} millions d'euros destinée à {topic_fr}.",
        "Les habitants de {city} ont découvert {day} le projet de la préfecture concernant {topic_fr}.",
        "{person}, maire de {city}, a présenté {day} les grandes lignes de son programme pour {topic_fr}.",
    ],
    "quote": [
        "« Nous avons besoin de ces travaux avant l'hiver », a déclaré {person} lors d'une réunion publique.",
        "« Le calendrier sera tenu », a assuré {person}, adjoint chargé des finances.",
        "« Les riverains seront consultés », a précisé {person} dans un communiqué publié {day}.",
    ],
    "body": [
        "Le chantier doit durer {m} mois et mobilisera une cinquantaine d'ouvriers.",
        "Selon le rapport des services techniques, le coût a augmenté de {p} % depuis l'an dernier.",
        "L'opposition municipale estime que le budget aurait dû être consacré à {topic_fr}.",
        "Les premiers résultats seront présentés au conseil municipal de {month}.",
        "La région financera la moitié du projet, le reste étant pris en charge par la commune.",
        "Une enquête publique se tiendra en mairie pendant {m} semaines.",
    ],
    "vague": [
        "Selon des responsables qui ont requis l'anonymat, le projet pourrait être retardé.",
        "Des rumeurs suggèrent que le chantier serait déjà en retard.",
    ],
    "junk": [
        "Partager sur Facebook",
        "Abonnez-vous à notre newsletter",
        "Lire aussi :",
        "La source de cet article se trouve sur ce site",
    ],
    "placeholder": "Le montant atteindrait 2000 XNUMX euros selon le document.",
    "days": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "le 3 mars 2024", "le 18 octobre 2023"],
    "months": ["janvier", "mars", "juin", "septembre", "novembre"],
    "topics": [
        "la rénovation des écoles",
        "les pistes cyclables",
        "le réseau de chaleur",
        "la piscine municipale",
        "les transports scolaires",
    ],
}
EN = {
    "lead": [
        "The council of {city} said {day} it would spend {n} million pounds on {topic_en}.",
        "{person}, the mayor of {city}, announced {day} a plan for {topic_en}.",
        "Residents of {city} were told {day} that work on {topic_en} would start next spring.",
    ],
    "quote": [
        '"We need this work done before the winter," {person} told a public meeting.',
        '"The timetable will hold," said {person}, the council\'s finance lead.',
    ],
    "body": [
        "The work is expected to last {m} months, according to the council's report.",
        "Costs have risen by {p} percent since last year, the report said.",
        "The opposition said the money should have gone to {topic_en} instead.",
        "A public consultation will run for {m} weeks at the town hall.",
    ],
    "vague": [
        "Sources say the project could be delayed.",
        "Some experts believe the plan will fail.",
    ],
    "junk": ["Share this article", "Sign up for our newsletter", "Related articles", "Skip to content"],
    "placeholder": "The total would reach 2000 XNUMX dollars, the document said.",
    "days": ["on Monday", "on Tuesday", "on Friday", "on 3 March 2024", "on 18 October 2023"],
    "months": ["January", "March", "June", "September"],
    "topics": [
        "school repairs",
        "cycle lanes",
        "the district heating network",
        "the swimming pool",
        "bus routes",
    ],
}
CITIES = [
    "Valbonne",
    "Saint-Aurel",
    "Montclar",
    "Eastwick",
    "Northfield",
    "Brayford",
    "Lesterre",
    "Rochemaure",
]
PEOPLE = [
    "Hélène Marchand",
    "Karim Benali",
    "Sophie Laurent",
    "Samuel Okafor",
    "Priya Natarajan",
    "Owen Price",
    "Marc Delaunay",
]


def article(rng: random.Random, i: int) -> dict[str, object]:
    """One synthetic article record."""
    lang = "fr" if rng.random() < 0.6 else "en"
    L = FR if lang == "fr" else EN
    slots = {
        "city": rng.choice(CITIES),
        "person": rng.choice(PEOPLE),
        "day": rng.choice(L["days"]),
        "month": rng.choice(L["months"]),
        "n": rng.randint(2, 90),
        "m": rng.randint(2, 18),
        "p": rng.randint(3, 40),
        "topic_fr": rng.choice(FR["topics"]),
        "topic_en": rng.choice(EN["topics"]),
    }
    bad = rng.random() < 0.3
    paragraphs = [rng.choice(L["lead"]).format(**slots)]
    for _ in range(rng.randint(2, 6)):
        sentences = rng.sample(L["body"], k=rng.randint(1, 3))
        if rng.random() < 0.5:
            sentences.append(rng.choice(L["quote"]))
        if bad and rng.random() < 0.5:
            sentences.append(rng.choice(L["vague"]))
        if bad and rng.random() < 0.3:
            sentences.append(L["placeholder"])
        paragraphs.append(" ".join(s.format(**slots) for s in sentences))
    if bad:
        paragraphs = [rng.choice(L["junk"]), *paragraphs, rng.choice(L["junk"])]
    record: dict[str, object] = {
        "id": f"doc-{i}",
        "url": f"https://example.org/{lang}/{i}",
        "text": "\n\n".join(paragraphs),
    }
    if rng.random() < 0.5:
        record["published"] = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return record


def generate(path: Path, n: int, seed: int = 7) -> None:
    """Write `n` articles as JSONL."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps(article(rng, i), ensure_ascii=False) + "\n")


def tree_rss_kb(pid: int) -> tuple[int, int]:
    """Resident memory of a process and all its descendants, and of the largest of them, in KB."""
    total = largest = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status", encoding="ascii") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss = int(line.split()[1])
                        total += rss
                        largest = max(largest, rss)
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children", encoding="ascii") as f:
                    stack.extend(int(c) for c in f.read().split())
        except (OSError, ValueError):
            continue
    return total, largest


def run_check(corpus: Path, jobs: int, junit: Path) -> tuple[float, int, int, int]:
    """Seconds, exit code, peak RSS of the process tree and of its largest process (KB) of one `scorer check`."""
    cmd = [
        sys.executable,
        "-m",
        "scorer.cli",
        "check",
        "--jobs",
        str(jobs),
        "--min-score",
        "50",
        "--max-flagged",
        "1",
        "--junit",
        str(junit),
        str(corpus),
    ]
    peak = peak_one = 0
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_one
        while not done.is_set():
            total, largest = tree_rss_kb(proc.pid)
            peak, peak_one = max(peak, total), max(peak_one, largest)
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    seconds = time.perf_counter() - t0
    done.set()
    sampler.join()
    return seconds, code, peak, peak_one


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    root = Path(__file__).resolve().parents[1]
    os.chdir(root)
    print(f"scorer check on generated JSONL ({os.cpu_count()} cores visible)")
    print(
        f"{'documents':>10} {'jobs':>4} {'seconds':>8} {'docs/s':>8} {'peak RSS tree':>14} {'max process':>12} exit"
    )
    with tempfile.TemporaryDirectory(prefix="bench-check-") as tmp:
        for n in args.sizes:
            corpus = Path(tmp) / f"corpus-{n}.jsonl"
            generate(corpus, n)
            for jobs in args.jobs:
                seconds, code, peak, maxrss = run_check(corpus, jobs, Path(tmp) / "junit.xml")
                print(
                    f"{n:>10} {jobs:>4} {seconds:8.1f} {n / seconds:8.1f} {peak / 1024:11.0f} MB {maxrss / 1024:9.0f} MB {code}",
                    flush=True,
                )
            corpus.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
