"""A stand-in for a minute-long job (a re-ranking or an export), for the queue test: a worker
started with `--include tests.celery_long_job` runs it. It marks its start and its end in
files, so the test can tell that it was still running when the e-mail went out."""

import time
from pathlib import Path

from config.celery_app import app

NAME = "tests.long_job"


@app.task(name=NAME)
def long_job(directory: str, seconds: float) -> None:
    Path(directory, "started").touch()
    time.sleep(seconds)
    Path(directory, "finished").touch()
