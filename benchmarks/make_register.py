"""Generate a large register for the benchmarks: N providers and 3N dated records
(agreements, due-diligence reviews, evidence and transfers), written with sqlite3's
executemany into a migrated database. It bypasses the services on purpose: the benchmarks
measure reading, deriving and showing, not 400,000 audited inserts.

    python -m benchmarks.make_register OUT.sqlite [--providers 100000]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import time
from datetime import date, timedelta
from pathlib import Path

from tracker.domain.text import search_key
from tracker.store.migrate import create_register

SYLLABLES = ["data", "corp", "vision", "speech", "text", "lab", "net", "soft", "info", "ai",
             "数据", "科技", "智能", "信息", "Müller", "Øre", "Société", "Nord"]
COUNTRIES = ["CN", "DE", "FR", "GB", "US", "JP", "SG", "NL", "IE", "KR"]
TIERS = ["critical", "high", "medium", "low", None]
ROLES = ["processor", "independent_controller", "licensor", "open_source", "joint_controller"]
STATUSES = ["active", "active", "active", "prospective", "suspended", "offboarded"]
NOW = "2026-01-01 00:00:00.000000"


def make_register(path: Path, providers: int, *, seed: int = 7,
                  supplies: bool = False) -> dict[str, int]:
    """``supplies`` adds one data supply and its legal basis per provider (the export
    benchmark writes every kind of record)."""
    if path.exists():
        path.unlink()
    create_register(f"sqlite:///{path}").dispose()
    rng = random.Random(seed)
    base = date(2026, 1, 1)

    def day(spread: int) -> str:
        return (base + timedelta(days=rng.randint(-spread, spread))).isoformat()

    provider_rows = []
    for i in range(1, providers + 1):
        name = " ".join(rng.choice(SYLLABLES).capitalize() for _ in range(3)) + f" {i}"
        provider_rows.append((i, name, search_key(name), rng.choice(COUNTRIES),
                              rng.choice(ROLES), rng.choice(TIERS), rng.choice(STATUSES),
                              0, 0, 0, 0, 1, NOW, NOW))
    agreements = [(i, i, "dpa", f"DPA {i}", day(400), rng.choice([None, 30, 90]),
                   rng.randint(0, 1), 0, 1, NOW, NOW) for i in range(1, providers + 1)]
    def review(i: int) -> tuple[object, ...]:
        # Valid as the services would accept it: the next review and the retention end
        # come after the review (the export benchmark imports the register back).
        assessed = base + timedelta(days=rng.randint(-600, 0))
        return (i, i, "due_diligence", assessed.isoformat(), "approved",
                (assessed + timedelta(days=rng.randint(180, 900))).isoformat(),
                (assessed + timedelta(days=rng.randint(1000, 3000))).isoformat(), 1, NOW, NOW)

    reviews = [review(i) for i in range(1, providers + 1)]
    half = providers // 2
    evidence = [(i, rng.randint(1, providers), "certificate", f"evidence/{i}.pdf", day(400),
                 1, NOW, NOW, NOW) for i in range(1, half + 1)]
    transfers = [(i, rng.randint(1, providers), "CN", rng.choice(["DE", "US", "SG"]),
                  rng.choice(["cn_standard_contract", "cac_security_assessment", None]),
                  "under_100k_non_sensitive", 2026, rng.randint(0, 300_000),
                  rng.randint(0, 12_000), day(200), day(200), 0, 1, NOW, NOW)
                 for i in range(1, half + 1)]
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO provider (id, legal_name, search_name, country, role, risk_tier, status,"
            " state_owned, foreign_state_access, is_ciio, handles_important_data, version,"
            " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", provider_rows)
        db.executemany(
            "INSERT INTO agreement (id, provider_id, kind, title, expires_on, notice_period_days,"
            " auto_renewal, version, created_at, updated_at, archived_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,NULL)",
            [(a, p, k, t, e, n, r, v, c, u) for a, p, k, t, e, n, r, _, v, c, u in agreements])
        db.executemany(
            "INSERT INTO assessment (id, provider_id, kind, assessed_on, outcome, next_review_on,"
            " retain_until, version, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            reviews)
        db.executemany(
            "INSERT INTO evidence (id, provider_id, kind, location, valid_until, version,"
            " created_at, updated_at, added_at) VALUES (?,?,?,?,?,?,?,?,?)", evidence)
        db.executemany(
            "INSERT INTO transfer (id, provider_id, origin_country, destination_country,"
            " mechanism, exemption, count_year, people_non_sensitive, people_sensitive,"
            " effective_on, filing_expires_on, notice_and_consent, version, created_at,"
            " updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", transfers)
        if supplies:
            db.executemany(
                "INSERT INTO supply (id, provider_id, name, modality, source_category, contains_pi,"
                " contains_sensitive_pi, contains_minors_data, people_concerned, description,"
                " version, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,1,?,?)",
                [(i, i, f"Corpus {i} 语料", rng.choice(["text", "image", "audio"]),
                  "licensed_private", 1, 0, 0, rng.randint(0, 10**6),
                  rng.choice(["", "=formula-looking note", "备注 note"]), NOW, NOW)
                 for i in range(1, providers + 1)])
            db.executemany(
                "INSERT INTO legal_basis (id, supply_id, regime, gdpr_art6, separate_consent,"
                " version, created_at, updated_at) VALUES (?,?,?,?,0,1,?,?)",
                [(i, i, "gdpr", "f_legitimate_interests", NOW, NOW)
                 for i in range(1, providers + 1)])
    return {"providers": providers, "dated records": len(agreements) + len(reviews)
            + len(evidence) + len(transfers)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--providers", type=int, default=100_000)
    args = parser.parse_args()
    started = time.perf_counter()
    counts = make_register(args.out, args.providers)
    print(f"{counts} written to {args.out} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
