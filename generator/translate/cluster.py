"""Decoding on a Dask distributed cluster: the embedded engine's chunks, decoded by workers that
each load the Argos model once, committed to the translation memory in the embedded engine's order.

Why the output is the embedded engine's, byte for byte: a sentence's decoding depends on the batch
it is decoded in (memory.py), so the workers get exactly the chunks `engine._translate_new` cuts,
with the same settings, and each chunk is decoded whole by one worker thread. Chunks may finish in
any order; they are appended to the memory in chunk order, so the memory always holds a prefix of
the run (as the embedded engine's does) and a run killed at any moment resumes with the same chunk
boundaries. A worker lost mid-chunk (killed, out of memory, its machine gone) has its chunks run
again elsewhere by the scheduler; a chunk's result is taken once, so no sentence is stored twice.

Dask is an optional extra (`pip install -e '.[cluster]'`): this module is imported only when a cluster is asked for.
"""

from __future__ import annotations

import logging
import os
import secrets
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import dask
from distributed import Client, Future, LocalCluster, WorkerPlugin, get_worker
from distributed.client import FutureCancelledError
from distributed.scheduler import KilledWorker

from generator.config import TranslationSettings
from generator.translate.argos import ArgosPackage, installed_packages
from generator.translate.engine import Decoded, Engine, EngineError

T = TypeVar("T")
PLUGIN_NAME = "archive-argos-engine"
# Dask's nanny starts workers with glibc's malloc trim threshold at 64 KiB (to hand memory back to the
# system); CTranslate2 then decodes at half speed (benchmarks/README.md, session 10). Our local
# clusters start without it; remote workers are told how (README) and warned about at start.
TRIM_VARIABLE = "MALLOC_TRIM_THRESHOLD_"
TRIM_SETTING = f"distributed.nanny.pre-spawn-environ.{TRIM_VARIABLE}"
# How a worker machine unsets it (a dict: Dask's own names for single settings lose the variable's case).
TRIM_ENVIRONMENT = f"DASK_DISTRIBUTED__NANNY__PRE_SPAWN_ENVIRON='{{\"{TRIM_VARIABLE}\": None}}'"
# Chunks in flight per worker thread: one decoding, one waiting, so a thread never idles between chunks,
# and few enough that results waiting for an earlier chunk stay small.
CHUNKS_PER_THREAD = 2
# Times a task that raised (not a lost worker: the scheduler retries those itself) is run again.
TASK_RETRIES = 2


@dataclass(frozen=True)
class ClusterAddress:
    """Where to decode: a LocalCluster of `local_workers` processes, or a running scheduler's `address`."""

    local_workers: int | None = None
    address: str | None = None

    @classmethod
    def parse(cls, spec: str) -> ClusterAddress:
        spec = spec.strip()
        if spec.startswith("local:"):
            count = spec.removeprefix("local:")
            if not count.isdigit() or int(count) < 1:
                raise EngineError(f"translation cluster {spec!r}: local:N needs a number of worker processes ≥ 1")
            return cls(local_workers=int(count))
        if "://" in spec:
            return cls(address=spec)
        raise EngineError(f"translation cluster {spec!r}: expected local:N or a scheduler address such as "
                          "tcp://scheduler:8786")


class EnginePlugin(WorkerPlugin):
    """Holds one worker process's engine: loaded when the client connects (`load_engine`), or at the first
    chunk of a worker that joins later; shared by the worker's threads, closed with the plugin."""

    name = PLUGIN_NAME

    def __init__(self, model_id: str, settings: TranslationSettings, packages_dir: Path | None) -> None:
        self.model_id = model_id
        self.settings = settings
        self.packages_dir = packages_dir
        self.address = "?"  # the worker's, once set up there
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:  # sent to the workers: no engine, no lock
        return {"model_id": self.model_id, "settings": self.settings, "packages_dir": self.packages_dir}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)

    def setup(self, worker: Any) -> None:
        self.address = worker.address
        # One CTranslate2 replica per worker thread: each thread decodes one chunk at a time.
        self.settings = replace(self.settings, inter_threads=max(1, worker.state.nthreads))

    def teardown(self, worker: Any) -> None:
        if self._engine is not None:
            self._engine.close()

    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                self._engine = Engine(self._package(), self.settings)
            return self._engine

    def _package(self) -> ArgosPackage:
        """The model the client uses, as installed on this worker's machine."""
        folders = [self.packages_dir] if self.packages_dir is not None and self.packages_dir.is_dir() else []
        for folder in [*folders, None]:  # the client's folder where it exists here, else this machine's own
            for package in installed_packages(folder):
                if package.model_id == self.model_id:
                    return package
        code = self.model_id.split("@", 1)[0]
        raise EngineError(f"worker {self.address}: Argos package {self.model_id} is not installed "
                          f"(install it there: argospm install {code}, or set ARGOS_PACKAGES_DIR)")


def load_engine(dask_worker: Any) -> str | None:
    """Run on every worker by `Client.run`, which passes the worker by this argument's name; returns
    the worker's malloc trim threshold, if set (TRIM_VARIABLE)."""
    dask_worker.plugins[PLUGIN_NAME].engine()
    return os.environ.get(TRIM_VARIABLE)


def translate_chunk(chunk: list[str]) -> tuple[str, list[Decoded]]:
    """A worker's task: decode one chunk with this process's engine; (engine version, results)."""
    engine = get_worker().plugins[PLUGIN_NAME].engine()
    return engine.version, engine.translate(chunk)


class ClusterTranslator:
    """The embedded `Engine`'s `translate_chunks`, on a Dask cluster (a context manager, like it)."""

    def __init__(self, spec: str, package: ArgosPackage, settings: TranslationSettings,
                 packages_dir: Path | None) -> None:
        self.spec = spec
        self.where = ClusterAddress.parse(spec)
        self.settings = settings
        self.plugin = EnginePlugin(package.model_id, settings, packages_dir)
        self._cluster: LocalCluster | None = None
        self._client: Client | None = None

    def __enter__(self) -> ClusterTranslator:
        try:
            if self.where.local_workers is not None:
                with dask.config.set({TRIM_SETTING: None}):  # see TRIM_VARIABLE
                    self._cluster = LocalCluster(n_workers=self.where.local_workers, threads_per_worker=1,
                                                 processes=True, dashboard_address=None, silence_logs=logging.ERROR)
                self._client = Client(self._cluster)
            else:
                self._client = Client(self.where.address, timeout=self.settings.cluster_connect_seconds)
            self._client.register_plugin(self.plugin, name=PLUGIN_NAME)
            # Every worker there now loads the model before the first chunk: a worker without it is named
            # at once, not after the run's chunks were handed out (workers joining later load at their first).
            trimmed = sorted(address for address, trim in self._client.run(load_engine).items() if trim)
            if trimmed:
                print(f"warning: {len(trimmed)} worker(s) run with {TRIM_VARIABLE} set (Dask's default), which halves "
                      f"CTranslate2's speed: start them with {TRIM_ENVIRONMENT} (README)", file=sys.stderr)
        except EngineError:
            self.close()
            raise
        except (OSError, TimeoutError) as error:
            self.close()
            raise EngineError(f"translation cluster {self.spec}: cannot connect ({error})") from error
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Unload the model on the workers and end the client's (and a local cluster's) threads and
        processes: the build forks after translating."""
        client, self._client = self._client, None
        cluster, self._cluster = self._cluster, None
        if client is not None:
            if cluster is None:  # a shared cluster: free the workers' memory of this model
                try:
                    client.unregister_worker_plugin(PLUGIN_NAME)
                except Exception:  # a worker already gone has nothing to free
                    logging.getLogger(__name__).debug("unregistering the engine plugin failed", exc_info=True)
            client.close()
        if cluster is not None:
            cluster.close()

    @property
    def client(self) -> Client:
        assert self._client is not None, "used outside its with-block"
        return self._client

    def threads(self) -> int:
        """Worker threads on the cluster now (at least 1: workers may join later)."""
        return max(1, sum(self.client.nthreads().values()))

    def translate_chunks(self, chunks: list[list[str]]) -> Iterator[tuple[str, list[Decoded]]]:
        """Each chunk's (engine version, results), in chunk order, while later chunks decode."""
        return self.in_order(translate_chunk, chunks)

    def in_order(self, task: Callable[[list[str]], T], chunks: list[list[str]]) -> Iterator[T]:
        """`task(chunk)` for each chunk on the cluster, results in chunk order; at most CHUNKS_PER_THREAD
        chunks per worker thread in flight (benchmarks/translate.py times this with a task that does nothing)."""
        client = self.client
        window = CHUNKS_PER_THREAD * self.threads()
        run = secrets.token_hex(4)  # this run's task keys: apart from another client's on a shared cluster
        futures: dict[int, Future] = {}
        submitted = 0
        for index in range(len(chunks)):
            while submitted < len(chunks) and submitted < index + window:
                futures[submitted] = client.submit(task, chunks[submitted], key=f"chunk-{run}-{submitted}",
                                                   priority=-submitted, retries=TASK_RETRIES)
                submitted += 1
            future = futures.pop(index)
            try:
                result = future.result()
            except KilledWorker as error:
                raise EngineError(f"translation cluster {self.spec}: chunk {index + 1} of {len(chunks)} was lost "
                                  f"with every worker that took it ({error})") from error
            except (EngineError, FutureCancelledError) as error:
                raise EngineError(f"translation cluster {self.spec}: {error}") from error
            finally:
                future.release()
            yield result
