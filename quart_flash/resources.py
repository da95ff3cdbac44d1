"""Serving component-suite bundles and Dash's default favicon.

Only files that a registered component package declares (Dash's
``registered_paths``) are served; anything else is a 404, never a 500 and
never a file outside the package.  Bundles are read once, off the event
loop, and kept in memory with their ETag: they change only when the package
is reinstalled, which also changes their fingerprinted URL.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import mimetypes
import pkgutil
from dataclasses import dataclass, field
from typing import Any

from dash.fingerprint import check_fingerprint
from quart import Response, request

from .errors import ClientError

ONE_YEAR = 31536000


@dataclass
class CachedFile:
    data: bytes
    etag: str
    mimetype: str
    gzipped: bytes | None = field(default=None, repr=False)

    def compressed(self) -> bytes:
        if self.gzipped is None:
            self.gzipped = gzip.compress(self.data, compresslevel=6)
        return self.gzipped


class PackageFiles:
    """A process-wide cache of package data files, shared by all apps."""

    def __init__(self) -> None:
        self._files: dict[tuple[str, str], CachedFile] = {}
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}

    async def get(self, package: str, path: str) -> CachedFile | None:
        key = (package, path)
        cached = self._files.get(key)
        if cached is not None:
            return cached
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            cached = self._files.get(key)
            if cached is None:
                loop = asyncio.get_running_loop()
                data = await loop.run_in_executor(None, _read_package_data, package, path)
                if data is None:
                    return None
                extension = "." + path.rsplit(".", 1)[-1]
                mimetype = mimetypes.types_map.get(extension, "application/octet-stream")
                etag = hashlib.sha1(data).hexdigest()
                cached = self._files[key] = CachedFile(data, etag, mimetype)
        return cached


def _read_package_data(package: str, path: str) -> bytes | None:
    try:
        return pkgutil.get_data(package, path)
    except (OSError, ValueError, ImportError):
        return None


PACKAGE_FILES = PackageFiles()


def _accepts_gzip() -> bool:
    return "gzip" in request.headers.get("Accept-Encoding", "")


async def file_response(package: str, path: str, *, immutable: bool, compress: bool) -> Response:
    """A 200 (or 304) response for one package file, cached by the browser."""
    cached = await PACKAGE_FILES.get(package, path)
    if cached is None:
        raise ClientError(404, "not_found", f"No file {path!r} in package {package!r}.")
    headers: dict[str, Any] = {"ETag": f'"{cached.etag}"'}
    headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable" if immutable else "no-cache"
    if compress:
        headers["Vary"] = "Accept-Encoding"
    if cached.etag in request.if_none_match:
        return Response(b"", status=304, headers=headers)
    body = cached.data
    if compress and _accepts_gzip() and len(body) > 500:
        body = cached.compressed()
        headers["Content-Encoding"] = "gzip"
    return Response(body, content_type=cached.mimetype, headers=headers)


def resolve_suite_path(
    registered: dict[str, set[str]], package: str, fingerprinted: str
) -> tuple[str, bool]:
    """Map a suite URL to a declared package file, or raise a 404.

    Returns the path inside the package and whether the URL carried a
    fingerprint (and so may be cached for a year).
    """
    path, has_fingerprint = check_fingerprint(fingerprinted)
    if path not in registered.get(package, ()):
        raise ClientError(
            404,
            "not_found",
            f"{package}/{path} is not a file of a registered component package.",
        )
    return path, has_fingerprint
