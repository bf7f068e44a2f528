"""Webhooks: when an API job ends, one signed POST of its JSON to its callback_url, from a
durable outbox (SQLite) retried with backoff for up to 24 h, across restarts.

The signature is Stripe's scheme: `X-Voiceover-Signature: t=<unix>,v1=<hex HMAC-SHA256 of
"<t>.<raw body>" keyed with the account's signing secret as shown>`. Every hop is checked to be
a public address (unless ALLOW_PRIVATE_CALLBACKS) and the connection goes to the address
checked; redirects are not followed. The URL and the secret never reach the logs."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import time
from collections.abc import Awaitable, Callable

import httpx
from prometheus_client import Counter

from core.backends.local.fetch import resolve_checked
from core.chat.api_keys import ApiKeys
from core.clock import Clock
from core.delivery.links import LinkSigner
from core.errors import VoiceoverError
from core.metrics import Metrics
from core.store import Row, Store
from core.web.api.chat import PLATFORM
from core.web.api.records import ApiJobRecords
from core.web.api.views import job_out
from core.work.model import ENDED, Job
from core.work.queue import JobQueue

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Voiceover-Signature"
GIVE_UP_AFTER_S = 24 * 3600.0
FIRST_RETRY_S, MAX_RETRY_S = 10.0, 4 * 3600.0
IDLE_S = 60.0
SEND_TIMEOUT_S = 10.0
AT_ONCE = 8
Language = Callable[[str], Awaitable[str]]


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The signature header's value for a body sent at `timestamp`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def retry_delay(attempts: int) -> float:
    """Seconds before try number attempts+1: 10 s, 30 s, 90 s, … at most 4 h."""
    return float(min(MAX_RETRY_S, FIRST_RETRY_S * 3 ** max(0, attempts - 1)))


async def check_callback(url: str, allow_private: bool) -> None:
    """Refuse a callback URL that is not http(s) on a public address (VoiceoverError)."""
    await resolve_checked(httpx.URL(url), allow_private)


class Webhooks:
    """The outbox (the webhooks table) and the loop that sends what is due."""

    def __init__(
        self,
        store: Store,
        jobs: JobQueue,
        keys: ApiKeys,
        signer: LinkSigner,
        clock: Clock,
        metrics: Metrics,
        language: Language,
        allow_private: bool,
    ) -> None:
        self.store, self.jobs, self.keys, self.signer = store, jobs, keys, signer
        self.clock, self.language, self.allow_private = clock, language, allow_private
        self.records = ApiJobRecords(store)
        self.sent = Counter(
            "voiceover_webhook_deliveries",
            "Webhook POSTs by outcome (delivered, retry, gave_up)",
            ["status"],
            registry=metrics.registry,
        )
        self._wake = asyncio.Event()

    async def job_ended(self, job: Job) -> None:
        """Put an ended API job's webhook in the outbox (once, however often told)."""
        if job.platform != PLATFORM or job.status not in ENDED:
            return
        record = await self.records.get(job.id)
        if record is None or not record["callback_url"]:
            return
        language = await self.language(job.owner)
        body = job_out(job, self.signer, None, language).model_dump_json()
        now = self.clock.now()
        await self.store.execute(
            "INSERT OR IGNORE INTO webhooks(job_id, owner, url, body, state, next_at, created)"
            " VALUES (?,?,?,?,?,?,?)",
            (job.id, job.owner, record["callback_url"], body, "pending", now, now),
        )
        self._wake.set()

    async def job_cancelled(self, job_id: str) -> None:
        """A cancelled job ends without a delivery: its webhook goes out from here."""
        job = await self.jobs.get(job_id)
        if job is not None:
            await self.job_ended(job)

    async def run(self) -> None:
        """Send what is due, then wait for the next due time or a new webhook; forever."""
        while True:
            self._wake.clear()
            try:
                delay = await self.send_due()
            except Exception:
                log.exception("webhook outbox failed; trying again")
                delay = FIRST_RETRY_S
            sleeper = asyncio.ensure_future(self.clock.sleep(delay))
            waker = asyncio.ensure_future(self._wake.wait())
            try:
                await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiting in (sleeper, waker):
                    waiting.cancel()

    async def send_due(self) -> float:
        """Send every due webhook; the seconds until the next one is due."""
        now = self.clock.now()
        rows = await self.store.fetchall(
            "SELECT * FROM webhooks WHERE state='pending' AND next_at<=? ORDER BY next_at",
            (now,),
        )
        limit = asyncio.Semaphore(AT_ONCE)

        async def one(row: Row) -> None:
            async with limit:
                await self._send(row)

        await asyncio.gather(*(one(row) for row in rows))
        upcoming = await self.store.fetchone(
            "SELECT MIN(next_at) AS at FROM webhooks WHERE state='pending'"
        )
        at = upcoming["at"] if upcoming and upcoming["at"] is not None else None
        return IDLE_S if at is None else max(0.0, min(IDLE_S, at - self.clock.now()))

    async def pending(self) -> int:
        """Webhooks not delivered yet (and not given up)."""
        row = await self.store.fetchone("SELECT COUNT(*) AS n FROM webhooks WHERE state='pending'")
        return int(row["n"]) if row else 0

    async def _send(self, row: Row) -> None:
        secret = await self.keys.secret(row["owner"])
        status = "no secret"
        if secret is not None:
            status = await self._post(row["url"], row["body"].encode(), secret)
        if status.startswith("2"):
            await self.store.execute(
                "UPDATE webhooks SET state='delivered', delivered=?, attempts=attempts+1,"
                " last_status=? WHERE job_id=?",
                (time.time(), status, row["job_id"]),
            )
            self.sent.labels(status="delivered").inc()
            return
        attempts = int(row["attempts"]) + 1
        now = self.clock.now()
        gave_up = now - float(row["created"]) >= GIVE_UP_AFTER_S
        await self.store.execute(
            "UPDATE webhooks SET state=?, attempts=?, next_at=?, last_status=? WHERE job_id=?",
            (
                "failed" if gave_up else "pending",
                attempts,
                now + retry_delay(attempts),
                status,
                row["job_id"],
            ),
        )
        self.sent.labels(status="gave_up" if gave_up else "retry").inc()
        log.info("webhook of job %s: %s (try %d)", row["job_id"], status, attempts)

    async def _post(self, url: str, body: bytes, secret: str) -> str:
        """POST the body to the checked address; the status as text, or why it wasn't sent."""
        try:
            parsed = httpx.URL(url)
            address = await resolve_checked(parsed, self.allow_private)
        except (VoiceoverError, httpx.InvalidURL, ValueError) as exc:
            return f"refused ({type(exc).__name__})"
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "voiceover-bot-webhooks/1",
            SIGNATURE_HEADER: sign(secret, body, int(self.clock.now())),
            "Host": parsed.netloc.decode("ascii").rsplit("@", 1)[-1],
        }
        try:
            async with httpx.AsyncClient(
                timeout=SEND_TIMEOUT_S, trust_env=False, follow_redirects=False
            ) as client:
                request = client.build_request(
                    "POST",
                    parsed.copy_with(host=address),
                    content=body,
                    headers=headers,
                    extensions={"sni_hostname": parsed.host},
                )
                response = await client.send(request)
                with contextlib.suppress(Exception):
                    await response.aclose()
                return str(response.status_code)
        except httpx.HTTPError as exc:
            return f"unreachable ({type(exc).__name__})"
