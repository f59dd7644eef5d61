"""A per-client rate limit on the routes that cost a model call.

Plain ASGI middleware in front of the app, so a refused request costs no body parsing, no
thread and no model time: a flooding client is answered 429 in microseconds and cannot
starve the others.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Receive, Scope, Send

from .errors import message, reply, scope_lang


@dataclass(frozen=True)
class RateRule:
    group: str  # the budget's name: every path under its prefixes shares it
    prefix: str
    methods: tuple[str, ...] = ("GET", "POST")


# The routes that run the embedding model or build documents, and the two that store a row
# without any login. Reading a document, a passage, a conversation or the health routes costs
# nothing worth limiting.
LIMITED = (
    RateRule("ask", "/v1/ask"),
    RateRule("ask", "/v1/render/"),  # the generative model, as the generative answers
    RateRule("search", "/v1/search"),
    RateRule("training", "/v1/training/"),
    RateRule("write", "/v1/conversations", ("POST",)),
    RateRule("write", "/v1/feedback", ("POST",)),
)


class RateLimit:
    """A moving-window limit per client (its address, as uvicorn reports it behind a trusted
    proxy) and per route group, e.g. "120/minute;10/second". The budget lives in the process:
    with several workers, each holds its own."""

    def __init__(self, app: ASGIApp, limits: str, rules: tuple[RateRule, ...] = LIMITED) -> None:
        self.app, self.rules = app, rules
        self.items: list[RateLimitItem] = parse_many(limits)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def _rule(self, method: str, path: str) -> RateRule | None:
        return next((r for r in self.rules if method in r.methods and path.startswith(r.prefix)), None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        rule = self._rule(scope.get("method", ""), scope.get("path", "")) if scope["type"] == "http" else None
        if rule is None:
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        # Test every window before counting in any, so a refused request spends no budget.
        spent = next((item for item in self.items if not self.limiter.test(item, rule.group, client)), None)
        if spent is None:
            for item in self.items:
                self.limiter.hit(item, rule.group, client)
            await self.app(scope, receive, send)
            return
        reset, _ = self.limiter.get_window_stats(spent, rule.group, client)
        wait = max(1, math.ceil(reset - time.time()))
        detail = message("rate_limited", scope_lang(scope), limit=str(spent), seconds=str(wait))
        response = reply(429, "too many requests", detail, "rate_limited")
        response.headers["Retry-After"] = str(wait)
        await response(scope, receive, send)
