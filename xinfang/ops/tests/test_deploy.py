"""deploy/ stays in step with the program: the commands it runs exist with those options, the
variables it sets are read, and the proxy sets the headers the settings trust.
(systemd-analyze verify and nginx -t were run on these files by hand; see the README.)"""

from __future__ import annotations

import re
import shlex

import pytest
from django.core.management import load_command_class

from xinfang.ops.tests.helpers import PROJECT_DIR

DEPLOY = PROJECT_DIR / "deploy"
UNITS = sorted(DEPLOY.glob("*.service"))
XINFANG_BIN = "/opt/xinfang/.venv/bin/xinfang"
APPS = {"serve": "ops", "backup": "ops", "remind": "notify", "audit": "audit", "retention": "privacy"}


def directives(path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.lstrip().startswith(("#", "[")):
            key, _, value = line.partition("=")
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def environment_example() -> dict[str, str]:
    text = (DEPLOY / "xinfang.env.example").read_text()
    pairs = re.findall(r"^#?([A-Z_]+)=(.*)$", text, re.M)
    return dict(pairs)


def test_there_are_the_five_services_and_four_timers():
    assert [p.name for p in UNITS] == [
        "xinfang-audit.service",
        "xinfang-backup.service",
        "xinfang-remind.service",
        "xinfang-retention.service",
        "xinfang.service",
    ]
    timers = [
        "xinfang-audit.timer",
        "xinfang-backup.timer",
        "xinfang-remind.timer",
        "xinfang-retention.timer",
    ]
    assert sorted(p.name for p in DEPLOY.glob("*.timer")) == timers


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_each_service_runs_a_real_command_with_real_options(unit):
    for command in directives(unit)["ExecStart"]:
        argv = shlex.split(command)
        assert argv[0] == XINFANG_BIN
        name, options = argv[1], argv[2:]
        parser = load_command_class(f"xinfang.{APPS[name]}", name).create_parser("xinfang", name)
        parser.parse_args(options)  # exits on an unknown option


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_each_service_is_sandboxed_and_writes_only_where_it_must(unit):
    d = directives(unit)
    assert d["User"] == ["xinfang"] and d["EnvironmentFile"] == ["/etc/xinfang/xinfang.env"]
    for setting in ("NoNewPrivileges", "PrivateTmp", "ProtectHome", "PrivateDevices"):
        assert d[setting] == ["yes"], setting
    assert d["ProtectSystem"] == ["strict"]
    writable = d["ReadWritePaths"][0].split()
    assert environment_example()["XINFANG_DATA_DIR"] in writable
    for line in d["ExecStart"]:
        command = shlex.split(line)
        if "-o" in command:
            assert any(command[command.index("-o") + 1].startswith(path) for path in writable)


def test_the_example_environment_names_only_variables_the_settings_read():
    # The settings, and the data keyring they read through xinfang.core.keyring.
    settings_source = "".join(
        (PROJECT_DIR / "xinfang" / path).read_text() for path in ("settings.py", "core/keyring.py")
    )
    for name in environment_example():
        if name.endswith("_FILE"):
            name = name.removesuffix("_FILE")
        assert f'"{name}"' in settings_source or name == "DATABASE_URL", name
    assert environment_example()["XINFANG_ENV"] == "production"


def test_the_proxy_sets_the_headers_the_settings_trust():
    nginx = (DEPLOY / "nginx-xinfang.conf").read_text()
    header = environment_example()["XINFANG_CLIENT_IP_HEADER"]  # HTTP_X_REAL_IP
    as_sent = header.removeprefix("HTTP_").replace("_", "-").lower()
    assert re.search(rf"proxy_set_header\s+{as_sent}\s+\$remote_addr;", nginx, re.I)
    assert re.search(r"proxy_set_header\s+X-Forwarded-Proto\s+\$scheme;", nginx)
    assert '("HTTP_X_FORWARDED_PROTO", "https")' in (PROJECT_DIR / "xinfang" / "settings.py").read_text()
    assert "proxy_pass http://xinfang;" in nginx and "server 127.0.0.1:8000;" in nginx
    [size] = re.findall(r"client_max_body_size (\d+)m;", nginx)
    assert int(size) >= 10
    assert "$request_uri" not in nginx.split("log_format", 1)[1].split(";", 1)[0]  # no query strings
