"""Atlas list pagination: ``itemsPerPage`` (1-500, default 100), ``pageNum`` (from 1), ``includeCount``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import URL, QueryParams

from cmkwizard.sandbox.atlas_sim import errors

MAX_ITEMS_PER_PAGE = 500
DEFAULT_ITEMS_PER_PAGE = 100
_PAGING_PARAMS = ("includeCount", "itemsPerPage", "pageNum")


@dataclass(frozen=True)
class Page:
    items_per_page: int
    page_num: int
    include_count: bool

    @classmethod
    def from_query(cls, query: QueryParams) -> Page:
        return cls(
            items_per_page=_int_param(query, "itemsPerPage", DEFAULT_ITEMS_PER_PAGE, 1, MAX_ITEMS_PER_PAGE),
            page_num=_int_param(query, "pageNum", 1, 1, None),
            include_count=bool_param(query, "includeCount", True),
        )


def paginate(items: Sequence[dict[str, Any]], page: Page, url: URL) -> dict[str, Any]:
    """A ``Paginated*`` body: this page's results, the total, and absolute self/previous/next links."""
    start = (page.page_num - 1) * page.items_per_page
    body: dict[str, Any] = {"links": [], "results": list(items[start : start + page.items_per_page])}
    body["links"].append({"href": _page_href(url, page, page.page_num), "rel": "self"})
    if page.page_num > 1:
        body["links"].append({"href": _page_href(url, page, page.page_num - 1), "rel": "previous"})
    if start + page.items_per_page < len(items):
        body["links"].append({"href": _page_href(url, page, page.page_num + 1), "rel": "next"})
    if page.include_count:
        body["totalCount"] = len(items)
    return body


def _page_href(url: URL, page: Page, page_num: int) -> str:
    kept = [(k, v) for k, v in QueryParams(url.query).multi_items() if k not in _PAGING_PARAMS]
    paging = [
        ("includeCount", "true" if page.include_count else "false"),
        ("itemsPerPage", str(page.items_per_page)),
        ("pageNum", str(page_num)),
    ]
    return str(url.replace(query=urlencode(kept + paging)))


def _int_param(query: QueryParams, name: str, default: int, minimum: int, maximum: int | None) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise errors.validation_error(name, f"expected an integer, got {raw!r}") from None
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise errors.validation_error(name, f"must be {bounds}, got {value}")
    return value


def bool_param(query: QueryParams, name: str, default: bool) -> bool:
    raw = query.get(name)
    if raw is None:
        return default
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    raise errors.validation_error(name, f"expected true or false, got {raw!r}")
