"""The full-size soak with churn (issue 19): 300 jobs from 50 users through the Telegram fake to
`voiceover serve` on real Valkey and SeaweedFS, a random worker kill -9-ed every ~20 s and
restarted, the bot restarted twice. Prints what tests/test_soak.py asserts, at full size:
every job told once, credits balanced, nothing left, the queue drained.

    .venv/bin/python bench/bench_soak.py [--users 50] [--jobs 6] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fake_telegram import FakeTelegram  # noqa: E402
from tests.media import make_video  # noqa: E402
from tests.servers import seaweed_server, valkey_server  # noqa: E402
from tests.soak import SoakPlan, soak, summary  # noqa: E402
from tests.test_workers import cluster  # noqa: E402


async def main(users: int, jobs: int, workers: int) -> None:
    plan = SoakPlan(users, jobs, workers, kill_every_s=(15.0, 25.0), limit_s=3600)
    with tempfile.TemporaryDirectory(prefix="bench-soak-") as tmp:
        root = Path(tmp)
        clip = make_video(root / "clip.mp4", seconds=1, size="64x64")
        with valkey_server(root / "valkey") as valkey, seaweed_server(root / "weed") as weed:
            bucket = weed.make_bucket("voiceover-soak")
            fake = FakeTelegram()
            await fake.start()
            try:
                async with cluster(root / "run", valkey.url, weed, bucket, "soak") as run:
                    report = await soak(plan, run, fake, clip)
            finally:
                await fake.stop()
    told = {u: report.videos[u] + report.gave_up[u] for u in range(3000, 3000 + users)}
    print(summary(report))
    for path in report.leftovers:  # what a process left in its TMPDIR (or a worker's DATA_DIR)
        print(f"  left: {path.relative_to(root)}")
    print(f"every job told once: {all(n == jobs for n in told.values())}")
    expected = sorted((f"telegram:{u}", 100 - 10 * report.videos[u], 0) for u in told)
    balanced = report.balances == expected
    for row in sorted(set(report.balances) ^ set(expected)):  # (owner, available, frozen)
        user = int(row[0].split(":")[1]) if row[0].startswith("telegram:") else None
        side = "found" if row in report.balances else "expected"
        jobs_of = [r for r in report.records if user is not None and int(r["chat_id"]) == user]
        print(f"  {side}: {row}; videos {report.videos.get(user or 0)}; jobs {jobs_of}")
    print(
        f"credits balanced: {balanced}; queue: {report.saq_lists}; went wrong: "
        f"{len(report.went_wrong)}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    asyncio.run(main(args.users, args.jobs, args.workers))
