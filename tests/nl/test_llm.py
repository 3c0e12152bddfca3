"""The optional language model, on a leash: asked only for what the rule-based reader cannot read, its
JSON plan is checked against the project (invented columns, values, garbage: refused, exit 2, nothing
written) and a good plan is rendered by the same templates and verified by dbt. A fake OpenAI-compatible
endpoint on 127.0.0.1 stands in for the model."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from tests.conftest import clone, run_cli
from tests.conftest import snapshot_tree as snapshot


class _Fake:
    def __init__(self) -> None:
        self.answers: list[str] = []
        self.requests: list[dict] = []


@pytest.fixture
def fake_llm() -> Iterator[tuple[_Fake, str]]:
    fake = _Fake()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            fake.requests.append({"path": self.path, "body": json.loads(self.rfile.read(length)),
                                  "auth": self.headers.get("Authorization")})  # fmt: skip
            answer = fake.answers.pop(0) if fake.answers else "no more answers"
            data = json.dumps({"choices": [{"message": {"role": "assistant", "content": answer}}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    server.handle_error = lambda request, address: None  # no traceback on stderr when a client hangs up early
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake, f"http://127.0.0.1:{server.server_port}/v1"
    finally:
        server.shutdown()
        server.server_close()


def test_language_model_plans_are_checked_then_built_or_refused(billing_ws: Path, tmp_path: Path, fake_llm):
    import duckdb

    fake, url = fake_llm
    env = {"PEF_GX_LLM_URL": url, "PEF_GX_LLM_MODEL": "fake-1", "PEF_GX_LLM_API_KEY": "k-123"}
    ws = clone(billing_ws, tmp_path / "ws")
    request = "how much did we bill per region"

    # without the variables: the rule-based reader's refusal, no endpoint asked
    plain = run_cli("ask", request, cwd=ws)
    assert plain.returncode == 2 and "could not read" in plain.stderr and not fake.requests

    before = snapshot(ws)
    invented = {"intent": "model", "model": "fct_invoices", "measure": {"agg": "sum", "column": "revenue_usd"},
                "grain": {"columns": ["region"]}, "name": "billed_per_region"}  # fmt: skip
    bad_value = {"intent": "model", "model": "fct_invoices", "measure": {"agg": "sum", "column": "amount"},
                 "filters": [{"column": "state", "values": ["cancelled"]}], "name": "billed"}  # fmt: skip
    for answer, message in [
        (json.dumps(invented), "a column fct_invoices does not have: 'revenue_usd'"),
        (json.dumps(bad_value), "on 'cancelled', a value it does not hold"),
        (json.dumps({**invented, "model": "fct_bills"}), "a model the project does not have: 'fct_bills'"),
        ("Sure! Revenue per region is a great idea.", "did not return a JSON plan"),
        (json.dumps({**invented, "measure": {"agg": "median", "column": "amount"}}), "measure is not one of"),
    ]:
        fake.answers.append(answer)
        proc = run_cli("ask", request, cwd=ws, env=env)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert message in proc.stderr and "plan was refused" in proc.stderr, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1
    assert snapshot(ws) == before  # nothing written by a refused plan

    sent = fake.requests[-1]
    assert sent["path"] == "/v1/chat/completions" and sent["auth"] == "Bearer k-123"
    assert sent["body"]["model"] == "fake-1" and sent["body"]["messages"][-1]["content"] == request
    assert "fct_invoices: invoice_no" in sent["body"]["messages"][0]["content"]  # the real columns

    good = {"intent": "model", "model": "fct_invoices", "measure": {"agg": "sum", "column": "amount"},
            "filters": [{"column": "state", "values": ["paid"]}], "grain": {"columns": ["region"]},
            "name": "billed_per_region"}  # fmt: skip
    fake.answers.append("```json\n" + json.dumps(good) + "\n```")
    proc = run_cli("ask", request, cwd=ws, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (
        "dbt build: model billed_per_region success" in proc.stdout
        and "read by the language model" in proc.stdout
    )
    con = duckdb.connect(str(ws / "dbt_project/billing.duckdb"), read_only=True)
    try:
        got = sorted(con.execute("select * from main.billed_per_region").fetchall())
        want = sorted(con.execute(
            "select region, sum(amount) from main.fct_invoices where state = 'paid' group by 1").fetchall())  # fmt: skip
    finally:
        con.close()
    assert got == want

    test_plan = {"intent": "test", "model": "stg_invoices", "columns": ["total_due"], "check": "accepted_range",
                 "params": {"min_value": 0}}  # fmt: skip
    fake.answers.append(json.dumps(test_plan))
    proc = run_cli("ask", "what we bill must never go under nothing", cwd=ws, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "asked: accepted_range on stg_invoices.total_due (min_value=0)" in proc.stdout
    assert "PASS pef_gx_accepted_range_stg_invoices_total_due" in proc.stdout
