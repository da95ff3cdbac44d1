"""quart-flash: the workload as a FlashBlueprint on a Quart app (hypercorn)."""

import os

from quart import Quart

from benchmarks import workload
from quart_flash import FlashBlueprint

app = Quart(__name__)
app.config["QUART_FLASH_MAX_THREADS"] = 64
dashboard = FlashBlueprint("bench", __name__, channels=False)
workload.install(dashboard)
app.register_blueprint(dashboard)


@app.route("/ping")
async def ping() -> str:
    """The serving process's PID: the benchmark reads its memory."""
    return str(os.getpid())
