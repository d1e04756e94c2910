from __future__ import annotations

import base64
import http.client
import json
import os
import secrets
import signal
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from xinfang.ops import serve
from xinfang.ops.errors import OpsError
from xinfang.ops.tests.helpers import PROJECT_DIR, child_env, free_port, wait_for, xinfang


def test_default_workers_follow_the_cpus_and_stay_bounded():
    assert serve.default_workers(1) == 3
    assert serve.default_workers(2) == 5
    assert serve.default_workers(64) == serve.MAX_DEFAULT_WORKERS


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("8000", "127.0.0.1:8000"),
        ("0.0.0.0:80", "0.0.0.0:80"),
        ("[::1]:8000", "[::1]:8000"),
        ("localhost:8000", "localhost:8000"),
        ("unix:/run/xinfang.sock", "unix:/run/xinfang.sock"),
    ],
)
def test_bind_addresses(given, expected):
    assert serve.check_bind(given) == expected


@pytest.mark.parametrize("given", ["", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", "a b:80", "host:port"])
def test_bad_bind_addresses_are_refused_in_chinese(given):
    with pytest.raises(OpsError, match="监听地址"):
        serve.check_bind(given)


@pytest.fixture
def exec_calls(monkeypatch, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    calls = []
    monkeypatch.setattr(os, "execve", lambda path, argv, env: calls.append((path, argv, env)))
    return calls


def test_serve_collects_the_static_files_and_becomes_gunicorn(exec_calls, settings, agent_cg, make_case):
    make_case(agent_cg)
    call_command("serve", bind="127.0.0.1:8123", workers=3, timeout=60)
    assert (settings.STATIC_ROOT / "xinfang" / "app.css").is_file()
    [(path, argv, env)] = exec_calls
    assert path == sys.executable
    assert argv[1:3] == ["-m", "gunicorn"]
    assert "python:xinfang.ops.gunicorn_conf" in argv
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8123"
    assert argv[argv.index("--workers") + 1] == "3"
    assert argv[argv.index("--timeout") + 1] == "60"
    assert env["XINFANG_DEBUG"] == "0"  # users never see Django's debug page


def test_serve_refuses_a_data_key_that_does_not_open_the_data(exec_calls, settings, agent_cg, make_case):
    make_case(agent_cg)
    settings.DATA_KEY = os.urandom(32)
    with pytest.raises(CommandError, match="数据密钥"):
        call_command("serve")
    assert exec_calls == []


def test_serve_refuses_nonsense_options(exec_calls, db):
    with pytest.raises(CommandError, match="监听地址"):
        call_command("serve", bind="nowhere")
    with pytest.raises(CommandError, match="正整数"):
        call_command("serve", workers=0)
    assert exec_calls == []


def test_the_access_log_leaves_out_query_strings():
    from xinfang.ops import gunicorn_conf

    assert "%(U)s" in gunicorn_conf.access_log_format
    assert "%(r)s" not in gunicorn_conf.access_log_format
    assert "%(q)s" not in gunicorn_conf.access_log_format


def get(port: int, path: str, **headers: str) -> tuple[int, dict, bytes]:
    """One GET, redirects not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_production_server_serves_static_files_health_and_chinese_errors(tmp_path):
    """The real thing: gunicorn in production mode, as systemd starts it."""
    env = child_env(
        XINFANG_ENV="production",
        XINFANG_SECRET_KEY=secrets.token_urlsafe(50),
        XINFANG_DATA_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        XINFANG_ALLOWED_HOSTS="xf.example.gov.cn,127.0.0.1",
        XINFANG_DATA_DIR=str(tmp_path),
    )
    assert xinfang("migrate", "--noinput", "-v0", env=env).returncode == 0
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "xinfang", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=env,
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    proxied = {"Host": "xf.example.gov.cn", "X-Forwarded-Proto": "https"}
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", process=server)
        status, _, body = get(port, "/healthz")
        assert status == 200
        assert json.loads(body)["status"] == "ok"
        status, headers, body = get(port, "/static/xinfang/app.css", **proxied)
        assert status == 200
        assert headers["Content-Type"].startswith("text/css")
        assert b".topbar" in body
        status, _, body = get(port, "/no-such-page/", **proxied)
        assert status == 404
        assert "没有找到".encode() in body
        assert b"Page not found" not in body  # DEBUG is off
        status, headers, _ = get(port, "/accounts/login/")
        assert status == 301
        assert headers["Location"] == f"https://127.0.0.1:{port}/accounts/login/"
        status, _, body = get(port, "/accounts/login/", **proxied)
        assert status == 200
        assert "登录".encode() in body
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output = server.communicate(timeout=30)[0].decode()
    assert "Starting gunicorn" in output
    assert "正在启动 gunicorn" in output
    assert server.returncode == 0
