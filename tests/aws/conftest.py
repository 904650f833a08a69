"""A moto server (IAM, STS, KMS) on loopback for the adapter tests, reset before each test."""

from __future__ import annotations

import logging

import httpx
import pytest


@pytest.fixture(scope="module")
def moto_endpoint():
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def moto(moto_endpoint, monkeypatch):
    """A clean moto and test credentials in the environment; yields the endpoint URL."""
    httpx.post(f"{moto_endpoint}/moto-api/reset").raise_for_status()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return moto_endpoint


@pytest.fixture
def boto(moto):
    """Direct boto3 clients for arranging what the tests then read through ``AwsAccount``."""
    import boto3
    from botocore.config import Config

    def client(service: str, region: str = "us-east-1"):
        return boto3.client(service, region_name=region, endpoint_url=moto, config=Config(retries={"max_attempts": 1}))

    return client
