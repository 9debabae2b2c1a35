"""The listening room: an ASGI app (Starlette on uvicorn) where the band listens to every mix and master of a
project, compares versions loudness-matched, leaves notes at a time on the waveform (routed to a role by the
producer's router) and approves stages. ``app.create_app`` builds it; ``server.serve`` runs it."""
