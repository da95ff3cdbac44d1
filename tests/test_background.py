"""Background callbacks (DiskcacheManager) over HTTP, with signed job handles."""

from __future__ import annotations

import time

import diskcache
import pytest
from dash import DiskcacheManager
from quart import Quart

from quart_flash import FlashBlueprint, Input, Output, State, dcc, html, set_props

from .helpers import callback_body, dash_config, poll_job, prop, start_job


@pytest.fixture
def client(serve, tmp_path):
    manager = DiskcacheManager(diskcache.Cache(str(tmp_path / "cache")))
    app = Quart(__name__)
    bp = FlashBlueprint("bg", __name__, url_prefix="/bg", background_callback_manager=manager)
    bp.layout = html.Div(
        [
            dcc.Input(id="in"),
            html.Button(id="go"),
            html.Button(id="stop"),
            html.Div(id="out"),
            html.Div(id="progress"),
            html.Div(id="side"),
            html.Div(id="aout"),
        ]
    )

    @bp.callback(
        Output("out", "children"),
        Input("go", "n_clicks"),
        State("in", "value"),
        background=True,
        progress=Output("progress", "children"),
        progress_default="idle",
        cancel=Input("stop", "n_clicks"),
        interval=100,
        prevent_initial_call=True,
    )
    def slow(set_progress, n_clicks, value):
        for step in range(3):
            set_progress(f"step {step}")
            time.sleep(0.1)
        set_props("side", {"children": "from the job"})
        return f"done {value}"

    @bp.callback(
        Output("aout", "children"),
        Input("in", "value"),
        background=True,
        interval=100,
        prevent_initial_call=True,
    )
    async def async_job(value):
        return f"async {value}"

    app.register_blueprint(bp)
    return serve(app)


def end_id(client) -> str:
    return dash_config(client.get("/bg/").text)["end_id"]


def start(client, eid, output, outputs, inputs, state=None):
    return start_job(client, "/bg", eid, callback_body(output, outputs, inputs, state=state))


def poll_until_done(client, eid, handles, output, outputs, inputs, state=None):
    done, progress = poll_job(
        client, "/bg", eid, handles, callback_body(output, outputs, inputs, state=state)
    )
    return done, [p["progress.children"] for p in progress]


SLOW = dict(
    output="out.children",
    outputs={"id": "out", "property": "children"},
    inputs=[prop("go", "n_clicks", 1)],
    state=[prop("in", "value", "x")],
)


def test_background_job_runs_reports_progress_and_side_updates(client):
    eid = end_id(client)
    handles = start(client, eid, **SLOW)
    assert set(handles) >= {"cacheKey", "job", "cancel", "progressDefault"}
    assert handles["progressDefault"] == {"progress.children": "idle"}
    assert "~" in handles["cacheKey"] and "~" in handles["job"]  # signed, as in Dash 4.4.1
    done, progress = poll_until_done(client, eid, handles, **SLOW)
    assert done["response"] == {"out": {"children": "done x"}}
    assert done.get("sideUpdate") == {"side": {"children": "from the job"}}
    assert set(progress) <= {"step 0", "step 1", "step 2"}


def test_async_background_callback(client):
    eid = end_id(client)
    call = dict(
        output="aout.children",
        outputs={"id": "aout", "property": "children"},
        inputs=[prop("in", "value", "y")],
    )
    handles = start(client, eid, **call)
    done, _ = poll_until_done(client, eid, handles, **call)
    assert done["response"] == {"aout": {"children": "async y"}}


@pytest.mark.parametrize("forge", ["cacheKey", "job", "endId"])
def test_forged_or_foreign_handles_are_refused(client, forge):
    eid = end_id(client)
    handles = start(client, eid, **SLOW)
    params = {"endId": eid, "cacheKey": handles["cacheKey"], "job": handles["job"]}
    params[forge] = params[forge].split("~")[0] + "~" + "0" * 64
    resp = client.post(
        "/bg/_dash-update-component",
        params=params,
        json=callback_body(SLOW["output"], SLOW["outputs"], SLOW["inputs"], SLOW["state"]),
    )
    assert resp.status_code == 403
    assert resp.json()["error"] == "invalid_job_handle"


def test_handles_from_another_page_load_are_refused(client):
    handles = start(client, end_id(client), **SLOW)
    resp = client.post(
        "/bg/_dash-update-component",
        params={"endId": end_id(client), "cacheKey": handles["cacheKey"], "job": handles["job"]},
        json=callback_body(SLOW["output"], SLOW["outputs"], SLOW["inputs"], SLOW["state"]),
    )
    assert resp.status_code == 403


def test_cancel_terminates_the_job(client):
    eid = end_id(client)
    handles = start(client, eid, **SLOW)
    deps = [d["output"] for d in client.get("/bg/_dash-dependencies").json()]
    assert "stop.id" in deps
    resp = client.post(
        f"/bg/_dash-update-component?endId={eid}&cancelJob={handles['job']}",
        json=callback_body(
            "stop.id", {"id": "stop", "property": "id"}, [prop("stop", "n_clicks", 1)]
        ),
    )
    assert resp.status_code == 200
    done, _ = poll_until_done(client, eid, handles, **SLOW)
    assert done is None  # cancelled: Dash answers the next poll with 204, no output


def test_per_callback_manager_and_cache_by(serve, tmp_path):
    runs = tmp_path / "runs.txt"
    manager = DiskcacheManager(
        diskcache.Cache(str(tmp_path / "cached")), cache_by=[lambda: "release-1"], expire=60
    )
    app = Quart(__name__)
    bp = FlashBlueprint("cached", __name__, url_prefix="/cached")  # no app-wide manager
    bp.layout = html.Div([dcc.Input(id="in"), html.Div(id="out")])

    @bp.callback(
        Output("out", "children"),
        Input("in", "value"),
        background=True,
        manager=manager,
        interval=100,
        prevent_initial_call=True,
    )
    def expensive(value):
        time.sleep(0.5)
        with open(runs, "a") as log:
            log.write("run\n")
        return f"computed {value} #{len(runs.read_text().splitlines())}"

    app.register_blueprint(bp)
    client = serve(app)
    body = callback_body(
        "out.children", {"id": "out", "property": "children"}, [prop("in", "value", "same")]
    )
    for _ in range(2):
        eid = dash_config(client.get("/cached/").text)["end_id"]
        handles = start_job(client, "/cached", eid, body)
        done, _ = poll_job(client, "/cached", eid, handles, body)
        # The second answer is the cached first one: Dash starts the job
        # again but answers from the cache and terminates it.
        assert done["response"] == {"out": {"children": "computed same #1"}}
