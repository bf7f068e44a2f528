"""The soak with churn, small enough for the suite (tests/soak.py drives it; bench/bench_soak.py
runs it full size): every job is told exactly once (a video, or "interrupted too many times"),
credits balance, no temp files or processes are left, and the queue is drained."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fake_telegram import FakeTelegram
from tests.media import make_video
from tests.servers import S3_SECRET, SeaweedS3
from tests.soak import SoakPlan, soak, summary
from tests.test_workers import TOKEN, cluster

PLAN = SoakPlan(users=4, jobs_per_user=3, seed=19, kill_every_s=(6.0, 12.0), limit_s=600)


@pytest.mark.soak
@pytest.mark.timeout(900)
async def test_soak_with_churn_loses_nothing_and_duplicates_nothing(
    fake: FakeTelegram,
    redis_url: str,
    seaweed: SeaweedS3,
    bucket: str,
    s3_prefix: str,
    tmp_path: Path,
) -> None:
    clip = make_video(tmp_path / "clip.mp4", seconds=1, size="64x64")
    async with cluster(tmp_path / "run", redis_url, seaweed, bucket, s3_prefix) as run:
        report = await soak(PLAN, run, fake, clip)
    print("\nsoak:", summary(report))
    users = [3000 + n for n in range(PLAN.users)]
    for user in users:  # each job told once: its video, or that it was interrupted too often
        assert report.videos[user] + report.gave_up[user] == PLAN.jobs_per_user, user
    assert len(report.records) == PLAN.users * PLAN.jobs_per_user
    assert all(r["status"] in ("done", "failed") and r["delivered"] for r in report.records)
    done = sum(1 for r in report.records if r["status"] == "done")
    assert done == sum(report.videos.values())  # every video was a done job, once
    assert report.kills >= 1 and report.bot_restarts == 2
    assert report.balances == sorted(
        (f"telegram:{u}", 100 - 10 * report.videos[u], 0) for u in users
    )  # charged for each video, nothing frozen
    assert report.saq_lists == {"queued": 0, "active": 0}
    assert report.leftovers == [] and report.live_groups == []
    assert report.went_wrong == []
    results = seaweed.keys(bucket, f"{s3_prefix}/results/")
    assert len(results) == done
    for name in run.procs:
        logged = (run.root / f"{name}.log").read_text(errors="replace")
        assert S3_SECRET not in logged and TOKEN not in logged, name
