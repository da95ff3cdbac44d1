"""Component suites, assets, favicon and compression."""

from __future__ import annotations

import gzip
import re

from quart import Quart

from quart_flash import FlashBlueprint, html


def suite_urls(index_html: str) -> list[str]:
    return re.findall(r'<script src="([^"]+_dash-component-suites/[^"]+)"', index_html)


def make_client(serve, tmp_path, **kwargs):
    app = Quart(__name__)
    bp = FlashBlueprint("res", __name__, url_prefix="/res", assets_folder=str(tmp_path), **kwargs)
    bp.layout = html.Div("hi")
    app.register_blueprint(bp)
    return serve(app), bp


def test_fingerprinted_suites_are_cached_for_a_year(serve, tmp_path):
    client, _ = make_client(serve, tmp_path)
    urls = suite_urls(client.get("/res/").text)
    assert any("dash_renderer" in u for u in urls) and any("react" in u for u in urls)
    for url in urls:
        resp = client.get(url)
        assert resp.status_code == 200, url
        assert "max-age=31536000" in resp.headers["cache-control"]
        assert resp.headers["content-type"].startswith(
            ("application/javascript", "text/javascript")
        )
        etag = resp.headers["etag"]
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""


def test_suites_without_fingerprint_get_an_etag_and_304(serve, tmp_path):
    client, _ = make_client(serve, tmp_path)
    url = next(u for u in suite_urls(client.get("/res/").text) if "dash_renderer" in u)
    plain = re.sub(r"\.v[\w-]+m[0-9a-f]+\.", ".", url)
    assert plain != url
    resp = client.get(plain)
    assert resp.status_code == 200
    assert resp.headers["cache-control"] == "no-cache"
    assert client.get(plain, headers={"If-None-Match": resp.headers["etag"]}).status_code == 304
    assert client.get(plain, headers={"If-None-Match": '"other"'}).status_code == 200


def test_suites_are_served_before_any_index_render(serve, tmp_path):
    """A second worker may get the bundle request first: paths are registered at setup."""
    client, bp = make_client(serve, tmp_path)
    assert client.get("/res/_dash-layout").status_code == 200
    renderer = next(
        p for p in bp.dash_app.registered_paths["dash"] if p.endswith("dash_renderer.min.js")
    )
    assert client.get(f"/res/_dash-component-suites/dash/{renderer}").status_code == 200


def test_assets_are_served_and_linked(serve, tmp_path):
    (tmp_path / "style.css").write_text("h1 { color: blue }")
    (tmp_path / "app.js").write_text("window.appLoaded = true;")
    (tmp_path / "ignored.js").write_text("window.ignored = true;")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deep.css").write_text("p {}")
    client, bp = make_client(serve, tmp_path, assets_ignore=r"ignored\.js")
    index = client.get("/res/").text
    assert re.search(r'href="/res/assets/style\.css\?m=[0-9.]+"', index)
    assert re.search(r'src="/res/assets/app\.js\?m=[0-9.]+"', index)
    assert "/res/assets/sub/deep.css" in index
    assert "ignored.js" not in index  # not linked ...
    assert client.get("/res/assets/ignored.js").status_code == 200  # ... but still served
    css = client.get("/res/assets/style.css")
    assert css.text == "h1 { color: blue }"
    assert (
        client.get(
            "/res/assets/style.css", headers={"If-None-Match": css.headers["etag"]}
        ).status_code
        == 304
    )
    assert bp.get_asset_url("logo.png") == "/res/assets/logo.png"


def test_include_assets_files_false_links_nothing(serve, tmp_path):
    (tmp_path / "style.css").write_text("h1 {}")
    client, _ = make_client(serve, tmp_path, include_assets_files=False)
    assert "style.css" not in client.get("/res/").text
    assert client.get("/res/assets/style.css").status_code == 200


def test_custom_assets_url_path_and_favicon_from_assets(serve, tmp_path):
    (tmp_path / "favicon.ico").write_bytes(b"\x00\x00\x01\x00custom")
    client, _ = make_client(serve, tmp_path, assets_url_path="static-files")
    index = client.get("/res/").text
    assert "/res/static-files/favicon.ico?m=" in index
    assert client.get("/res/static-files/favicon.ico").content.endswith(b"custom")


def test_default_favicon(serve, tmp_path):
    client, _ = make_client(serve, tmp_path)
    assert "/res/_favicon.ico?v=" in client.get("/res/").text
    icon = client.get("/res/_favicon.ico")
    assert icon.status_code == 200 and len(icon.content) > 1000


def test_compress_gzips_dash_responses_only(serve, tmp_path):
    app = Quart(__name__)
    bp = FlashBlueprint(
        "zip", __name__, url_prefix="/zip", compress=True, assets_folder=str(tmp_path)
    )
    bp.layout = html.Div([html.P(f"paragraph {i}") for i in range(200)])
    app.register_blueprint(bp)

    @app.route("/mine")
    async def mine():
        return "x" * 5000

    client = serve(app)
    gz = {"Accept-Encoding": "gzip"}
    for path in ("/zip/", "/zip/_dash-layout"):
        raw = client.stream("GET", path, headers=gz)
        with raw as resp:
            assert resp.headers["content-encoding"] == "gzip", path
            body = gzip.decompress(b"".join(resp.iter_raw()))
        assert len(body) > 1000
    url = next(u for u in suite_urls(client.get("/zip/").text) if "dash_renderer" in u)
    with client.stream("GET", url, headers=gz) as resp:
        assert resp.headers["content-encoding"] == "gzip"
        assert b"DashRenderer" in gzip.decompress(b"".join(resp.iter_raw()))
    # Without Accept-Encoding, plain bytes; the user's route is never touched.
    assert (
        "content-encoding"
        not in client.get("/zip/_dash-layout", headers={"Accept-Encoding": "identity"}).headers
    )
    assert "content-encoding" not in client.get("/mine", headers=gz).headers
