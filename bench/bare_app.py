"""The baseline for bench/backend_bench.py: the smallest FastAPI app, served the same way."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/bare")
def bare() -> dict[str, str]:
    # A sync endpoint, like the backend's routes, so both pay for the thread pool hop.
    return {"status": "ok"}
