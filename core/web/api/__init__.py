"""The HTTP API for automation (/api/v1 on the service's web server): keys made in the chats,
jobs made by the chats' flows, signed webhooks from a durable outbox, an OpenAPI contract."""

from __future__ import annotations

from aiohttp import web

from core.chat.api_keys import ApiKeys
from core.chat.lanes import Lanes
from core.chat.turn import FlowDeps
from core.store import Store
from core.web.api.accepted import Intakes
from core.web.api.guard import Guard, RateLimiter
from core.web.api.openapi import docs_routes
from core.web.api.records import ApiJobRecords
from core.web.api.routes import ApiRoutes
from core.web.api.submit import JobSubmitter
from core.web.api.webhooks import Webhooks


class HttpApi:
    """The API's parts, wired from what the chats use (their flows' dependencies and lanes) and
    the webhooks' outbox (built first: the deliveries and the job control tell it)."""

    def __init__(self, deps: FlowDeps, lanes: Lanes, store: Store, webhooks: Webhooks) -> None:
        assert deps.api_keys is not None
        self.keys: ApiKeys = deps.api_keys
        self.submitter = JobSubmitter(deps, lanes)
        settings = deps.settings
        self.webhooks = webhooks
        limiter = RateLimiter(settings.api_rate_per_minute, deps.clock)
        self.guard = Guard(self.keys, limiter, self.submitter.language, settings.api_cors_origins)
        records = ApiJobRecords(store)
        self.intakes = Intakes(self.submitter, records, deps.queue, self.webhooks)
        self.routes = ApiRoutes(
            settings,
            deps.backend,
            deps.queue,
            deps.media,
            deps.signer,
            records,
            self.intakes,
        )

    async def run(self) -> None:
        """End the jobs a stop caught being taken in, then send the webhooks; forever."""
        await self.intakes.recover()
        await self.webhooks.run()

    def install(self, app: web.Application) -> None:
        """Add the routes and the guard to the service's app (before it starts)."""
        app.middlewares.append(self.guard.middleware)
        app.add_routes(self.routes.routes())
        app.add_routes(docs_routes())
