"""One module per server flavour; each exposes ``app`` (and serves ``/ping``)."""
