"""Fixtures: a seeded store on SQLite and PostgreSQL, the app, and logged-in clients per role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from webseed import build_store, login

from cases import users
from cases.web.app import create_app


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2, with test-sized cost: the default (64 MiB, 3 passes) takes ~0.5 s per hash on a shared box."""
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture()
def store(db_url: str) -> Iterator[tuple[str, Engine]]:
    engine = build_store(db_url)
    yield db_url, engine
    engine.dispose()


@pytest.fixture()
def app(store: tuple[str, Engine], tmp_path: Path) -> Iterator[FastAPI]:
    application = create_app(store[0], secret_key="test-secret", attachments_dir=tmp_path / "attachments")
    yield application
    application.state.engine.dispose()


@pytest.fixture()
def client_as(app: FastAPI) -> Iterator[Callable[[str], TestClient]]:
    """A new logged-in client for a username (several may exist at once, like two browsers)."""
    clients: list[TestClient] = []

    def make(username: str) -> TestClient:
        client = TestClient(app)
        clients.append(client)
        response = login(client, username)
        assert response.status_code == 303, response.text
        return client

    yield make
    for client in clients:
        client.close()
