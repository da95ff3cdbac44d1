"""HTTP/2 under hypercorn: h2c with prior knowledge and TLS (ALPN), websockets beside it.

Several FlashBlueprints on one app; every Dash route is exercised over a
single multiplexed HTTP/2 connection, and the channels websocket (HTTP/1.1)
receives a push made over HTTP/2.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import re
import ssl
from pathlib import Path

import httpx
import websockets
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from quart_flash.testing import HypercornProcess

from .helpers import callback_body, first_push, prop, response_of

ROOT = Path(__file__).resolve().parents[1]


def _self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1, made for this test run only."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _echo(prefix: str, value: str) -> dict[str, object]:
    return callback_body(
        "out.children",
        {"id": "out", "property": "children"},
        [prop("in", "value", value)],
        state=[prop("st", "value", prefix)],
        changed=["in.value"],
    )


async def _exercise(client: httpx.AsyncClient) -> None:
    """Every Dash route of both apps, concurrently, on one HTTP/2 connection."""
    for name in ("alpha", "beta"):
        index = await client.get(f"/{name}/")
        assert index.http_version == "HTTP/2" and index.status_code == 200
        renderer = re.search(
            rf'src="(/{name}/_dash-component-suites/dash/dash-renderer/[^"]+)"', index.text
        )
        assert renderer, index.text
        calls = [
            client.get(f"/{name}/_dash-layout"),
            client.get(f"/{name}/_dash-dependencies"),
            client.get(renderer.group(1)),
            *(
                client.post(f"/{name}/_dash-update-component", json=_echo(name, str(n)))
                for n in range(20)
            ),
        ]
        answers = await asyncio.gather(*calls)
        assert all(a.http_version == "HTTP/2" and a.status_code == 200 for a in answers)
        assert answers[0].json()["type"] == "Div"
        assert {d["output"] for d in answers[1].json()} >= {"out.children"}
        assert "javascript" in answers[2].headers["content-type"]
        assert answers[2].headers["cache-control"] == "public, max-age=31536000, immutable"
        outputs = [response_of(a)["out"]["children"] for a in answers[3:]]
        assert outputs == [f"{n}/{name}" for n in range(20)]


async def _push_over_h2_reaches_websocket(
    client: httpx.AsyncClient, ws_url: str, ssl_context: ssl.SSLContext | None
) -> None:
    async def publish() -> None:
        answer = await client.post("/publish/beta", json={"text": "over h2"})
        assert answer.http_version == "HTTP/2"

    async with websockets.connect(ws_url, ssl=ssl_context) as socket:
        message = await first_push(socket, ["news"], publish)
    assert message == {
        "type": "props",
        "updates": [{"id": "out", "props": {"children": "over h2"}}],
    }


def _h2_clients(log: str) -> set[str]:
    """The client addresses of the HTTP/2 requests in hypercorn's access log."""
    return set(re.findall(r'(127\.0\.0\.1:\d+) - - \[[^]]*\] "\w+ \S+ 2"', log))


def _run(tls: tuple[str, str] | None = None) -> None:
    server = HypercornProcess(
        "tests.apps.http2_app:app", args=["--access-logfile", "-"], tls=tls, cwd=str(ROOT)
    ).start("/alpha/")

    async def scenario() -> None:
        async with httpx.AsyncClient(
            base_url=server.url,
            http1=False,
            http2=True,
            timeout=20,
            verify=server.ssl_context or True,
        ) as client:
            await _exercise(client)
            ws_scheme = "wss" if tls else "ws"
            ws_url = f"{ws_scheme}://127.0.0.1:{server.port}/beta/_flash/channels"
            await _push_over_h2_reaches_websocket(client, ws_url, server.ssl_context)

    try:
        asyncio.run(scenario())
    finally:
        log = server.stop()
    # Some 50 requests, 23 at a time, and every one came over a single connection.
    assert len(_h2_clients(log)) == 1, log


def test_h2c_prior_knowledge_with_websocket_beside_it():
    _run()


def test_tls_negotiates_h2_with_websocket_beside_it(tmp_path):
    cert, key = _self_signed(tmp_path)
    _run(tls=(str(cert), str(key)))
