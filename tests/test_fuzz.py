"""Property-based fuzzing of every Dash route on a multi-app server: no 5xx, ever.

Marked ``fuzz``; each run sends at least 10,000 generated requests, then
checks that a valid request still works.
"""

from __future__ import annotations

from collections import Counter

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from quart import Quart

from .helpers import callback_body, echo_and_total_app, prop, response_of

pytestmark = pytest.mark.fuzz

EXAMPLES = 2600  # per route family: 4 x 2,600 > 10,000 requests
STATUSES: Counter[int] = Counter()

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
component_ids = st.sampled_from(["in", "st", "out", "total", "nope", ""]) | st.dictionaries(
    st.sampled_from(["type", "index", "x"]), st.integers(0, 3) | st.text(max_size=3), max_size=2
)
props = st.fixed_dictionaries(
    {
        "id": component_ids | json_values,
        "property": st.sampled_from(["value", "children"]) | json_values,
    },
    optional={"value": json_values},
)
bodies = st.fixed_dictionaries(
    {},
    optional={
        "output": st.sampled_from(["out.children", "total.children", "x.y"]) | json_values,
        "outputs": props | st.lists(props | st.lists(props, max_size=3), max_size=3) | json_values,
        "inputs": st.lists(props | st.lists(props, max_size=3), max_size=3) | json_values,
        "state": st.lists(props, max_size=2) | json_values,
        "changedPropIds": st.lists(st.text(max_size=10), max_size=2) | json_values,
    },
)
path_parts = st.lists(
    st.sampled_from(
        [
            "..",
            ".",
            "%2e%2e",
            "dash",
            "deps",
            "react.js",
            "x.min.js",
            "%00",
            "~",
            "dash_renderer",
            "etc",
            "passwd",
            "",
            "v1_0m1",
            "a.css",
        ]
    )
    | st.text(
        alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="?#/"),
        max_size=8,
    ),
    max_size=5,
)


@pytest.fixture(scope="module")
def client():
    from quart_flash.testing import LiveServer

    app = Quart(__name__)
    for name in ("one", "two"):
        bp = echo_and_total_app(name, max_body_size=32 * 1024)
        app.register_blueprint(bp)
    server = LiveServer(app).start()
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield http
    server.stop()


def record(resp: httpx.Response) -> None:
    STATUSES[resp.status_code] += 1
    assert resp.status_code < 500, (resp.status_code, resp.text[:300])


common = settings(
    max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


@common
@given(body=bodies | json_values, prefix=st.sampled_from(["/one", "/two"]))
def test_fuzz_update_component(client, body, prefix):
    record(client.post(f"{prefix}/_dash-update-component", json=body))


@common
@given(raw=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_fuzz_raw_bodies(client, raw):
    record(
        client.post(
            "/one/_dash-update-component", content=raw, headers={"Content-Type": "application/json"}
        )
    )


@common
@given(parts=path_parts, route=st.sampled_from(["_dash-component-suites", "assets"]))
def test_fuzz_files(client, parts, route):
    record(client.get(f"/two/{route}/" + "/".join(parts)))


@common
@given(
    query=st.dictionaries(st.text(max_size=6), st.text(max_size=10), max_size=3),
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]),
)
def test_fuzz_layout_and_dependencies(client, query, method):
    for path in ("/one/_dash-layout", "/two/_dash-dependencies"):
        record(client.request(method, path, params=query))


def test_zz_valid_requests_still_work_after_fuzzing(client):
    assert sum(STATUSES.values()) >= 10_000 or not STATUSES, STATUSES
    body = callback_body(
        "out.children",
        {"id": "out", "property": "children"},
        [prop("in", "value", "ok")],
        state=[prop("st", "value", 1)],
    )
    for prefix in ("/one", "/two"):
        assert response_of(client.post(f"{prefix}/_dash-update-component", json=body)) == {
            "out": {"children": "ok/1"}
        }
    print("fuzz statuses:", dict(sorted(STATUSES.items())))
