"""Several workers and machines serving one delegation: real API processes sharing a real
PostgreSQL database (the suite's own throwaway server), each with an index folder of its own,
as two machines without a shared disk would be; and one process with two workers on SQLite.

What is checked: a conversation started on one continues on the other; a reload on one is
served by every worker, with no request failing during the switch; concurrent writes through
both lose no row; the database stopped in the middle of a load gives clear 503s on what needs
it while search goes on, and the service recovers by itself when it returns; the metrics add
up across workers.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from service_helpers import API_KEY, free_port, serve_api, service_env, start, stop

QUESTION = "Quels droits pour les enfants migrants ?"


def _index(base: str) -> dict:
    return httpx.get(f"{base}/v1/index", timeout=30).json()


def _wait_for(condition, seconds: float = 60, every: float = 0.2):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if value := condition():
            return value
        time.sleep(every)
    raise AssertionError(f"not within {seconds:.0f} s")


def _rebuild_unpublished(env: dict, tmp: Path) -> str:
    """A new build in this machine's index folder, not published (its own throwaway database),
    as `policyqa index build` leaves it before a reload; its id."""
    time.sleep(1.1)  # build ids are stamped to the second
    done = subprocess.run(
        [sys.executable, "-m", "policyqa.cli", "index", "build"],
        env={**env, "POLICYQA_DB": str(tmp / f"scratch-{time.time_ns()}.sqlite3")},
        check=True,
        capture_output=True,
        text=True,
    )
    return re.search(r"index (\S+):", done.stdout)[1]


def _code(response: httpx.Response) -> str:
    try:
        return response.json().get("code", "")
    except ValueError:
        return "not JSON"


class Load:
    """Clients asking /v1/search on every base, round robin, until stopped; every status kept."""

    def __init__(self, bases: list[str], route: str = "/v1/search", clients: int = 4) -> None:
        self.statuses: Counter = Counter()
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(bases[i % len(bases)], route)) for i in range(clients)]

    def _run(self, base: str, route: str) -> None:
        with httpx.Client(timeout=60) as client:
            while not self._stop.is_set():
                try:
                    if route == "/v1/search":
                        r = client.get(f"{base}{route}", params={"q": "droit d'asile"})
                    else:
                        r = client.post(f"{base}{route}", json={"question": QUESTION})
                    self.statuses[r.status_code] += 1
                    if r.status_code != 200:
                        self.failures.append(f"{r.status_code} {_code(r)}: {r.text[:300]}")
                except httpx.HTTPError as exc:
                    self.statuses["transport"] += 1
                    self.failures.append(repr(exc))

    def __enter__(self) -> Load:
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for t in self._threads:
            t.join()


@pytest.fixture(scope="module")
def fleet(tmp_path_factory, postgres_server):
    """Two API processes ("machines") on one PostgreSQL database; only the first has built the
    index, the second fetches it from the database."""
    from postgres_cluster import new_database

    tmp = tmp_path_factory.mktemp("fleet")
    url = new_database(postgres_server[0])
    (tmp / "a").mkdir()
    settings = {"POLICYQA_DB": url, "POLICYQA_RATE_LIMIT": "off", "POLICYQA_INDEX_POLL_SECONDS": "0.5"}
    env_a = service_env(tmp / "a", **settings)  # builds and publishes the index
    env_b = {**env_a, "POLICYQA_INDEX_DIR": str(tmp / "b" / "index")}
    procs, bases = [], []
    try:
        for name, env in (("a", env_a), ("b", env_b)):
            port = free_port()
            procs.append(serve_api(env, port, tmp / f"{name}.log", probe="/v1/ready"))
            bases.append(f"http://127.0.0.1:{port}")
        yield {"a": env_a, "b": env_b, "bases": bases, "tmp": tmp, "cluster": postgres_server[1]}
    finally:
        for proc in procs:
            stop(proc)


def test_the_second_machine_serves_the_index_it_fetched_from_the_database(fleet):
    a, b = (_index(base) for base in fleet["bases"])
    assert a["build_id"] == b["build_id"] == a["published_build"] != ""
    fetched = Path(fleet["b"]["POLICYQA_INDEX_DIR"]) / "builds" / b["build_id"]
    assert (fetched / "dense.faiss").is_file() and (fetched / "manifest.json").is_file()
    assert a["worker"] != b["worker"]


def test_a_conversation_started_on_one_continues_on_the_other(fleet):
    first_base, second_base = fleet["bases"]
    first = httpx.post(f"{first_base}/v1/ask", json={"question": QUESTION}, timeout=60).json()
    token = {"X-Conversation-Token": first["conversation_token"]}
    follow_up = {"question": "et pour les femmes ?", "conversation_id": first["conversation_id"]}
    second = httpx.post(f"{second_base}/v1/ask", json=follow_up, headers=token, timeout=60)
    assert second.status_code == 200, second.text
    assert second.json()["follow_up"] and second.json()["conversation_id"] == first["conversation_id"]
    rated = httpx.post(f"{first_base}/v1/feedback", json={"answer_id": second.json()["answer_id"], "rating": 1}, headers=token)
    assert rated.status_code == 201, rated.text
    turns = httpx.get(f"{first_base}/v1/conversations/{first['conversation_id']}", headers=token).json()["turns"]
    assert [t["question"] for t in turns] == [QUESTION, "et pour les femmes ?"]
    # Another's token is refused on either machine alike.
    assert httpx.get(f"{second_base}/v1/conversations/{first['conversation_id']}", headers={"X-Conversation-Token": "x"}).status_code == 404


def test_concurrent_writes_through_both_lose_no_row(fleet):
    bases = fleet["bases"]
    started = httpx.post(f"{bases[0]}/v1/conversations").json()
    conversation, token = started["conversation_id"], {"X-Conversation-Token": started["conversation_token"]}
    errors: list[str] = []

    def ask(n: int) -> None:
        with httpx.Client(timeout=60) as client:
            for i in range(6):
                body = {"question": f"droit d'asile {n}-{i}", "conversation_id": conversation}
                r = client.post(f"{bases[(n + i) % 2]}/v1/ask", json=body, headers=token)
                if r.status_code != 200:
                    errors.append(r.text)
                    continue
                rating = {"answer_id": r.json()["answer_id"], "rating": -1}
                f = client.post(f"{bases[(n + i + 1) % 2]}/v1/feedback", json=rating, headers=token)
                if f.status_code != 201:
                    errors.append(f.text)

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    turns = httpx.get(f"{bases[1]}/v1/conversations/{conversation}", headers=token).json()["turns"]
    assert len(turns) == 48 and len({t["question"] for t in turns}) == 48
    from policyqa.conversation.store import ConversationStore

    store = ConversationStore(fleet["a"]["POLICYQA_DB"])
    assert sorted(t.position for t in store.turns(conversation)) == list(range(1, 49))
    assert sum(len(store.feedback(t.id)) for t in store.turns(conversation)) == 48


def test_a_reload_on_one_is_served_by_both_with_no_request_failing(fleet, capsys):
    bases = fleet["bases"]
    before = [_index(base) for base in bases]
    new_id = _rebuild_unpublished(fleet["a"], fleet["tmp"])
    assert new_id != before[0]["build_id"]
    with Load(bases) as load:
        time.sleep(1)
        reloaded = httpx.post(f"{bases[0]}/v1/index/reload", headers={"X-API-Key": API_KEY}, timeout=120)
        assert reloaded.status_code == 200 and reloaded.json()["build_id"] == new_id, reloaded.text
        _wait_for(lambda: all(_index(base)["build_id"] == new_id for base in bases))
        time.sleep(1)
    after = [_index(base) for base in bases]
    assert load.statuses[200] > 20 and not load.failures, (load.statuses, load.failures[:3])
    assert all(a["published_build"] == new_id for a in after)
    with capsys.disabled():  # the switch-over, as the closing note quotes it
        for name, old, new in zip("ab", before, after):
            print(f"\n  machine {name} ({new['worker']}): {old['build_id']} -> {new['build_id']}")
        print(f"  requests during the switch: {dict(load.statuses)}")


def test_the_database_stopped_mid_load_gives_503s_and_the_service_recovers_by_itself(fleet):
    cluster = fleet["cluster"]
    if cluster is None:
        pytest.skip("the server comes from POLICYQA_TEST_POSTGRES_URL: this suite cannot stop it")
    bases = fleet["bases"]
    with Load(bases, "/v1/ask", clients=4) as asking, Load(bases, "/v1/search", clients=2) as searching:
        time.sleep(1)
        cluster.stop()
        try:
            _wait_for(lambda: asking.statuses[503] >= 4, seconds=60)
            down = httpx.post(f"{bases[1]}/v1/ask", json={"question": QUESTION}, headers={"Accept-Language": "fr"}, timeout=60)
            assert down.status_code == 503 and down.json()["code"] == "storage_down", down.text
            assert "base de données est injoignable" in down.json()["detail"] and down.headers["retry-after"]
            assert httpx.get(f"{bases[0]}/v1/search", params={"q": "asile"}).status_code == 200
        finally:
            cluster.start()
        _wait_for(lambda: httpx.post(f"{bases[0]}/v1/ask", json={"question": QUESTION}, timeout=60).status_code == 200, seconds=60)
        _wait_for(lambda: httpx.post(f"{bases[1]}/v1/ask", json={"question": QUESTION}, timeout=60).status_code == 200, seconds=60)
    # No 500 and no dropped connection at any point; search never failed.
    assert set(asking.statuses) <= {200, 503}, asking.statuses
    assert set(searching.statuses) == {200}, (searching.statuses, searching.failures[:3])
    assert asking.failures and all(f.startswith("503 storage_down:") for f in asking.failures), asking.failures[:3]


def test_two_workers_on_sqlite_switch_together_and_add_up_their_metrics(tmp_path):
    env = service_env(tmp_path, POLICYQA_RATE_LIMIT="off", POLICYQA_INDEX_POLL_SECONDS="0.5")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start(["serve", "--port", str(port), "--workers", "2"], env, tmp_path / "server.log", f"{base}/v1/ready", 90)
    try:
        # Each new connection may reach either worker; both must be seen ready.
        _wait_for(lambda: len({_seen(base)[0] for _ in range(20)}) == 2, seconds=60)
        new_id = _rebuild_unpublished(env, tmp_path)
        assert httpx.post(f"{base}/v1/index/reload", headers={"X-API-Key": API_KEY}, timeout=120).status_code == 200
        # Within a few checks, every answer, from whichever worker, is from the new build.
        _wait_for(lambda: {_seen(base)[1] for _ in range(20)} == {new_id}, seconds=30)
        seen = {_seen(base) for _ in range(40)}
        assert {build for _, build in seen} == {new_id} and len({worker for worker, _ in seen}) == 2
        # Metrics: 30 health checks spread over both workers, counted once each, whichever answers.
        for _ in range(30):
            httpx.get(f"{base}/v1/health")
        scraped = [httpx.get(f"{base}/metrics/").text for _ in range(4)]
        counts = {_health_count(text) for text in scraped}
        assert counts == {30.0}, counts
    finally:
        stop(proc)


def _seen(base: str) -> tuple[str, str]:
    with httpx.Client() as client:  # a new connection each time
        status = client.get(f"{base}/v1/index").json()
    return status["worker"], status["build_id"]


def _health_count(metrics: str) -> float:
    match = re.search(r'policyqa_requests_total\{route="/v1/health",status="200"\} (\S+)', metrics)
    return float(match[1]) if match else 0.0
