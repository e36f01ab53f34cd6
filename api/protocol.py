"""uvicorn's httptools connection handling with the limits it lacks: bytes of request line and
headers, and the time they may take to arrive.

uvicorn bounds neither with httptools (its `h11_max_incomplete_event_size` applies to the slower h11
parser only; httptools accumulates a header of any size in memory before handing it over), and it
arms its keep-alive timer only after a response: a connection that never sends a request, or sends
its headers one byte at a time, is held forever. This protocol counts the bytes of each request's
head as they arrive and refuses a head over `max_header_bytes` with 431 before it is parsed any
further, and closes a connection whose head is not complete `header_timeout` seconds after it
connected or after the first byte of a next request (408 if part of a head arrived). The limits
come from the uvicorn Config's `scorer_limits` attribute (set by `api.server`), else the defaults.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

logger = logging.getLogger(__name__)

_HEAD_END = b"\r\n\r\n"


@dataclass(frozen=True)
class HeadLimits:
    """Bytes of request line and headers, and seconds they may take to arrive."""

    max_header_bytes: int = 64 * 1024
    header_timeout: float = 10.0


def _response(status: int, reason: str, detail: str) -> bytes:
    body = json.dumps({"detail": detail}).encode("utf-8")
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """HttpToolsProtocol that bounds each request head's size and arrival time (see the module)."""

    def __init__(self, config: Any, server_state: Any, app_state: dict[str, Any], _loop: Any = None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        limits = getattr(config, "scorer_limits", None) or HeadLimits()
        self._max_head = limits.max_header_bytes
        self._head_timeout = limits.header_timeout
        self._in_head = True  # the next bytes are a request line and headers
        self._head_bytes = 0  # of the current head, received so far
        self._tail = b""  # last bytes of the head so far: its end may straddle two reads
        self._head_timer: asyncio.TimerHandle | None = None
        self._message_ended = False
        self._refused = False

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()  # a connection that sends nothing is not held forever

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if self._in_head:
            if self._head_timer is None:  # the first byte of a next request on a kept-alive connection
                self._arm_head_timer()
            room = self._max_head - self._head_bytes
            if len(data) > room and _HEAD_END not in self._tail + data[: max(room, 0)]:
                self._refuse(
                    431,
                    "Request Header Fields Too Large",
                    f"the request line and headers exceed {self._max_head // 1024} KiB",
                )
                return
        self._message_ended = False
        super().data_received(data)
        if self._in_head and not self._refused:
            if self._message_ended:
                # A request ended inside these bytes and the next one's head began: where is not known,
                # so its count starts at 0 (it may then exceed the limit by less than one read).
                self._head_bytes, self._tail = 0, b""
            else:
                self._head_bytes += len(data)
                self._tail = (self._tail + data)[-(len(_HEAD_END) - 1) :]

    # httptools callbacks

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._cancel_head_timer()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._in_head, self._head_bytes, self._tail = True, 0, b""
        self._message_ended = True
        super().on_message_complete()

    # limits

    def _arm_head_timer(self) -> None:
        self._cancel_head_timer()
        self._head_timer = self.loop.call_later(self._head_timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if not self._in_head or self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            self._arm_head_timer()  # a response is still being written: the next head waits for it
            return
        if self._head_bytes or self._tail:
            self._refuse(
                408,
                "Request Timeout",
                f"the request line and headers did not arrive within {self._head_timeout:g} s",
            )
        else:  # nothing was sent: nothing to answer
            self._refused = True
            self.transport.close()

    def _refuse(self, status: int, reason: str, detail: str) -> None:
        self._refused = True
        self._cancel_head_timer()
        logger.warning("%s from %s: %s", status, _peer(self.client), detail)
        if self.cycle is None or self.cycle.response_complete:
            self.transport.write(_response(status, reason, detail))
        self.transport.close()


def _peer(client: tuple[str, int] | None) -> str:
    return f"{client[0]}:{client[1]}" if client else "a client"
