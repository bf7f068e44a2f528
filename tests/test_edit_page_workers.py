"""The edit page's Render with the Redis queue (QUEUE_URL on a real Valkey, media in SeaweedFS's
S3): the page's Render goes into the chat's flow, a real `voiceover worker` process renders it,
the page shows the job's progress while the worker holds it at the mix (a failpoint), then the
result player, and the Telegram fake's chat receives the video."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

from pydantic import SecretStr
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from core.config import Settings
from core.failpoints import HOLD_AT, PAUSE_MARK
from tests.browser import poll
from tests.cli_helpers import cli_command, cli_env
from tests.edit_helpers import ask_for_link, project_with_script
from tests.fake_telegram import FakeTelegram
from tests.media import make_video
from tests.servers import S3_KEY_ID, S3_SECRET, SeaweedS3, worker_env
from tests.telegram_helpers import bot_running
from tests.test_browser_edit import open_page


def start_worker(root: Path, common: dict[str, str], mark: Path) -> subprocess.Popen[bytes]:
    """`voiceover worker` in its own process group (its own DATA_DIR, log in root), holding
    every render at the mix while `mark` exists."""
    (root / "tmp").mkdir(parents=True)
    extra = {HOLD_AT: "mix", PAUSE_MARK: str(mark), "TMPDIR": str(root / "tmp")}
    env = cli_env(root / "data", **common, **extra)
    with (root / "worker.log").open("wb") as log:
        return subprocess.Popen(
            cli_command("worker"), env=env, stdout=log, stderr=log, start_new_session=True
        )


@contextlib.asynccontextmanager
async def worker(root: Path, common: dict[str, str], mark: Path) -> AsyncIterator[Path]:
    """A worker running (stopped at the end); yields its log's path."""
    proc = start_worker(root, common, mark)
    try:
        yield root / "worker.log"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            await asyncio.to_thread(proc.wait, 30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            await asyncio.to_thread(proc.wait, 30)


def held_then_let_go(mark: Path, log: Path) -> None:
    """Wait until the worker holds a render at the mix, then let it go on."""
    poll(mark.exists, 300, f"the worker never reached the mix (its log: {log})")
    mark.unlink()


def progress_then_result(driver: WebDriver, mark: Path, shots: Path) -> str:
    """Render on the page; its progress shown while the worker holds the render; then, let
    go, the result player. The progress's words."""
    driver.find_element(By.CSS_SELECTOR, "#line-1 .text").send_keys(" Bright.")  # a new draft
    driver.find_element(By.ID, "render").click()
    poll(mark.exists, 300, "the worker never reached the mix")
    words = driver.find_element(By.ID, "job-message")
    bar = driver.find_element(By.ID, "progress")
    poll(lambda: "Rendering:" in words.text and int(bar.get_attribute("value") or 0) > 0, 60, "")
    shown = words.text
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", bar)
    driver.save_screenshot(str(shots / "edit-page-worker-progress.png"))
    mark.unlink()
    body = driver.find_element(By.TAG_NAME, "body")
    poll(lambda: "rendered" in (body.get_attribute("class") or ""), 300, "no result player")
    result = driver.find_element(By.ID, "result")
    assert "/r/" in (result.get_attribute("src") or "")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", result)
    driver.save_screenshot(str(shots / "edit-page-worker-result.png"))
    return shown


async def test_the_pages_render_is_rendered_by_a_worker_and_delivered_to_the_chat(
    fake: FakeTelegram, tg_settings: Settings, redis_url: str, seaweed: SeaweedS3,
    bucket: str, s3_prefix: str, browser: WebDriver, shots: Path, tmp_path: Path,
) -> None:  # fmt: skip
    clip = make_video(tmp_path / "quiet.mp4", seconds=9, size="160x120", audio=False)
    # a first voice load may hold the worker a while
    common = worker_env(redis_url, seaweed, f"s3://{bucket}/{s3_prefix}", lease_s=60)
    update = {
        "queue_url": redis_url,
        "storage_url": common["STORAGE_URL"],
        "s3_endpoint_url": seaweed.endpoint,
        "aws_access_key_id": SecretStr(S3_KEY_ID),
        "aws_secret_access_key": SecretStr(S3_SECRET),
        "job_lease_s": 60,
    }
    bot_settings = tg_settings.model_copy(update=update)
    mark = tmp_path / "held"
    async with (
        worker(tmp_path / "worker", common, mark) as log,
        bot_running(bot_settings, fake) as service,
    ):
        assert service.parts.workers is not None  # renders go to the workers' queue
        first = asyncio.create_task(asyncio.to_thread(held_then_let_go, mark, log))
        await project_with_script(fake, clip)
        await first
        link = await ask_for_link(fake)
        await asyncio.to_thread(open_page, browser, link)
        videos = len(fake.called("sendVideo"))
        shown = await asyncio.to_thread(progress_then_result, browser, mark, shots)
        await fake.wait_until(lambda: len(fake.called("sendVideo")) > videos, 120)
        assert "%" in shown, shown
        assert "Done" in browser.find_element(By.ID, "job-message").text
        assert b"ftyp" in fake.called("sendVideo")[-1].files["video"][:12]
    assert len(seaweed.keys(bucket, f"{s3_prefix}/results/")) == 2  # both put there by the worker
