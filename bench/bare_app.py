"""The baseline for bench/backend_bench.py: the smallest FastAPI app, served the same way."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/bare")
async def bare() -> dict[str, str]:
    # Async, like the backend's routes.
    return {"status": "ok"}
