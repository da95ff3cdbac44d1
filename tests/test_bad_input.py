"""Bad input on any Dash route: a clear 4xx with a JSON body, never a 500."""

from __future__ import annotations

import pytest
from quart import Quart

from .helpers import callback_body, echo_and_total_app, prop, response_of

VALID = callback_body(
    "out.children",
    {"id": "out", "property": "children"},
    [prop("in", "value", "ok")],
    state=[prop("st", "value", 1)],
    changed=["in.value"],
)


@pytest.fixture
def client(serve, tmp_path):
    (tmp_path / "site.css").write_text("body { color: red }")
    app = Quart(__name__)
    bp = echo_and_total_app("bad", assets_folder=str(tmp_path), max_body_size=64 * 1024)
    app.register_blueprint(bp)
    return serve(app)


def assert_client_error(resp, status, error=None):
    assert resp.status_code == status, (resp.status_code, resp.text)
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert body["message"]
    if error:
        assert body["error"] == error, body
    return body


def with_changes(**changes):
    body = {k: v for k, v in VALID.items()}
    for key, value in changes.items():
        if value is None:
            body.pop(key)
        else:
            body[key] = value
    return body


RAW_BODIES = {
    "not json": b"{not json",
    "empty": b"",
    "invalid utf-8": b'{"output": "\xff\xfe"}',
    "deeply nested": b"[" * 30000 + b"]" * 30000,
}


@pytest.mark.parametrize("name", list(RAW_BODIES))
def test_malformed_bodies(client, name):
    resp = client.post(
        "/bad/_dash-update-component",
        content=RAW_BODIES[name],
        headers={"Content-Type": "application/json"},
    )
    assert_client_error(resp, 400, "malformed_json")
    assert response_of(client.post("/bad/_dash-update-component", json=VALID)) == {
        "out": {"children": "ok/1"}
    }


STRUCTURAL = {
    "json array": [1, 2, 3],
    "json string": "output",
    "output missing": with_changes(output=None),
    "output not a string": with_changes(output=42),
    "inputs missing": with_changes(inputs=None),
    "inputs not a list": with_changes(inputs={"id": "in"}),
    "input without property": with_changes(inputs=[{"id": "in", "value": 1}]),
    "input id is a list": with_changes(inputs=[{"id": ["in"], "property": "value"}]),
    "changedPropIds not strings": with_changes(changedPropIds=[1, 2]),
    "state not a list": with_changes(state="x"),
}


@pytest.mark.parametrize("name", list(STRUCTURAL))
def test_bodies_that_do_not_fit_the_model_name_the_field(client, name):
    body = assert_client_error(
        client.post("/bad/_dash-update-component", json=STRUCTURAL[name]), 400, "invalid_request"
    )
    if isinstance(STRUCTURAL[name], dict):
        assert body["fields"], body
    assert response_of(client.post("/bad/_dash-update-component", json=VALID))


MISMATCHED = {
    "unknown output": (with_changes(output="nope.children"), "unknown_callback"),
    "too few inputs": (with_changes(inputs=[]), "invalid_request"),
    "too many inputs": (
        with_changes(inputs=[prop("in", "value"), prop("x", "value")]),
        "invalid_request",
    ),
    "state missing": (with_changes(state=None), "invalid_request"),
    "list where one expected": (with_changes(inputs=[[prop("in", "value")]]), "invalid_request"),
    "wrong property": (with_changes(inputs=[prop("in", "children")]), "invalid_request"),
    "outputs for another component": (
        with_changes(outputs={"id": "total", "property": "children"}),
        "invalid_request",
    ),
    "outputs of the wrong length": (
        with_changes(outputs=[{"id": "out", "property": "children"}] * 2),
        "invalid_request",
    ),
}


@pytest.mark.parametrize("name", list(MISMATCHED))
def test_bodies_that_do_not_match_the_callback(client, name):
    body, error = MISMATCHED[name]
    # A valid request first: checks remembered for it must not pass a bad one.
    assert response_of(client.post("/bad/_dash-update-component", json=VALID))
    assert_client_error(client.post("/bad/_dash-update-component", json=body), 400, error)
    assert response_of(client.post("/bad/_dash-update-component", json=VALID))


def test_single_value_where_wildcard_list_expected(client):
    body = callback_body(
        "total.children",
        {"id": "total", "property": "children"},
        [prop({"type": "n", "index": 0}, "value", 1)],
    )
    assert_client_error(client.post("/bad/_dash-update-component", json=body), 400)
    good = callback_body(
        "total.children",
        {"id": "total", "property": "children"},
        [[prop({"type": "n", "index": 0}, "value", 1)]],
    )
    assert response_of(client.post("/bad/_dash-update-component", json=good)) == {
        "total": {"children": 1}
    }


def test_oversized_body_is_413(client):
    big = with_changes(inputs=[prop("in", "value", "x" * 100_000)])
    assert_client_error(
        client.post("/bad/_dash-update-component", json=big), 413, "request_too_large"
    )
    assert response_of(client.post("/bad/_dash-update-component", json=VALID))


@pytest.mark.parametrize(
    "method, path",
    [
        ("POST", "/bad/_dash-layout"),
        ("DELETE", "/bad/_dash-dependencies"),
        ("GET", "/bad/_dash-update-component"),
        ("PUT", "/bad/_dash-update-component"),
        ("POST", "/bad/"),
        ("PATCH", "/bad/some/page"),
    ],
)
def test_wrong_method_is_405_json(client, method, path):
    resp = client.request(method, path)
    assert_client_error(resp, 405, "method_not_allowed")
    assert resp.headers["Allow"]


SUITE_PATHS = [
    "/bad/_dash-component-suites/dash/../../../etc/passwd",
    "/bad/_dash-component-suites/dash/%2e%2e/%2e%2e/setup.py",
    "/bad/_dash-component-suites/dash/..%2f..%2fsetup.py",
    "/bad/_dash-component-suites/os/path.py",
    "/bad/_dash-component-suites/quart_flash/blueprint.py",
    "/bad/_dash-component-suites/dash/dash.py",
    "/bad/_dash-component-suites/dash//etc/passwd",
    "/bad/_dash-component-suites/no_such_package/x.js",
    "/bad/_dash-component-suites/dash/dcc/nothing.v1_0_0m1.js",
]


def raw_get(client, path):
    """GET ``path`` exactly as written: httpx would resolve the ``..`` segments."""
    import http.client

    conn = http.client.HTTPConnection(client.base_url.host, client.base_url.port, timeout=10)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return (
            resp.status,
            resp.getheader("content-type") or "",
            resp.read().decode(errors="replace"),
        )
    finally:
        conn.close()


def assert_nothing_leaks(client, path):
    """A 404 JSON error, or (where the path is no file route at all) the index page."""
    status, content_type, text = raw_get(client, path)
    assert "root:" not in text and "[metadata]" not in text and "import " not in text
    if status == 200:
        assert 'id="_dash-config"' in text  # the catch-all: client-side routing
    else:
        assert status == 404, (status, text)
        assert content_type.startswith("application/json"), text


@pytest.mark.parametrize("path", SUITE_PATHS)
def test_component_suites_serve_only_registered_files(client, path):
    assert_nothing_leaks(client, path)


ASSET_PATHS = [
    "/bad/assets/../setup.cfg",
    "/bad/assets/%2e%2e/%2e%2e/etc/passwd",
    "/bad/assets//etc/passwd",
    "/bad/assets/missing.css",
]


@pytest.mark.parametrize("path", ASSET_PATHS)
def test_assets_never_leave_the_assets_folder(client, path):
    assert_nothing_leaks(client, path)


def test_assets_are_served(client):
    resp = client.get("/bad/assets/site.css")
    assert resp.status_code == 200 and "color: red" in resp.text


def test_server_keeps_serving_after_a_storm_of_bad_requests(client):
    for _ in range(20):
        client.post("/bad/_dash-update-component", content=b"\x00\x01garbage")
    assert response_of(client.post("/bad/_dash-update-component", json=VALID)) == {
        "out": {"children": "ok/1"}
    }
