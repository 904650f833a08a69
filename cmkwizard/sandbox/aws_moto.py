"""moto in server mode on loopback: the sandbox's IAM, STS and KMS.

Each `MotoServer` listens on a free port of 127.0.0.1 and works in an AWS account of its own, reached
through the access key it hands out (moto picks the account from the access key). Two sandboxes in
one process therefore never see each other's roles, keys or aliases even though moto keeps its state
in process-wide dictionaries.

A few moto 5.x defects that the sandbox would otherwise show to an operator are fixed in place by
`apply_moto_workarounds()`; each fix says what is wrong and is applied only to the moto series it was
checked against.
"""

from __future__ import annotations

import copy
import functools
import logging
import secrets
import struct
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import boto3
import botocore.config
import moto
from moto.core.base_backend import BackendDict, backend_lock
from moto.kms import models as kms_models
from moto.kms import utils as kms_utils
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from moto.server import ThreadedMotoServer
from werkzeug.serving import make_server

from cmkwizard.sandbox.kms_outage import KmsOutages, OutageGate

if TYPE_CHECKING:
    from botocore.client import BaseClient

DEFAULT_REGION = "us-east-1"
OPERATOR_USER_NAME = "sandbox-operator"
# moto's own default account; every sandbox uses another one so that it starts empty.
_MOTO_DEFAULT_ACCOUNT = "123456789012"
_WORKAROUNDS_CHECKED_ON = "5."


@dataclass(frozen=True)
class AwsCredentials:
    """The sandbox operator's access key and the account it belongs to."""

    account_id: str
    access_key_id: str
    secret_access_key: str = field(repr=False)


class MotoClients:
    """boto3 clients for moto, one per service and region.

    They share one session, so botocore loads each service model once, and they fail fast: moto's
    HTTP 500 pages are defects to see at once, not outages to retry.
    """

    def __init__(self, endpoint_url: str, credentials: AwsCredentials) -> None:
        self._endpoint_url = endpoint_url
        self._credentials = credentials
        self._session = boto3.session.Session()
        self._lock = threading.Lock()  # creating clients from one session is not thread-safe
        self._clients: dict[tuple[str, str], BaseClient] = {}

    def get(self, service: str, region: str = DEFAULT_REGION) -> BaseClient:
        with self._lock:
            client = self._clients.get((service, region))
            if client is None:
                client = self._clients[(service, region)] = self.new(service, region)
            return client

    def new(self, service: str, region: str = DEFAULT_REGION) -> BaseClient:
        """A client of its own, for callers that register event handlers on it."""
        return self._session.client(
            service,
            region_name=region,
            endpoint_url=self._endpoint_url,
            aws_access_key_id=self._credentials.access_key_id,
            aws_secret_access_key=self._credentials.secret_access_key,
            config=botocore.config.Config(retries={"max_attempts": 1}),
        )


class _ClosingMotoServer(ThreadedMotoServer):
    """moto behind the sandbox's KMS outage gate.

    ThreadedMotoServer.stop() ends the serving thread but leaves the listening socket open; this one closes it.
    """

    def __init__(self, outages: KmsOutages) -> None:
        super().__init__(ip_address="127.0.0.1", port=0, verbose=False)
        self._outages = outages

    def _server_entry(self) -> None:
        # ThreadedMotoServer._server_entry, with the gate in front of moto's application.
        app = OutageGate(DomainDispatcherApplication(create_backend_app), self._outages)
        self._server = make_server(self._ip_address, self._port, app, True, request_handler=MotoRequestHandler)
        self._server_ready_event.set()
        self._server.serve_forever()

    def stop(self) -> None:
        super().stop()
        if self._server is not None:
            self._server.server_close()


class MotoServer:
    """moto on 127.0.0.1 (a free port), with a fresh account and an operator access key for it.

    KMS in a region that ``outages`` says is down answers 503 to everyone (see `kms_outage`).
    """

    def __init__(self, outages: KmsOutages | None = None) -> None:
        self.outages = outages or KmsOutages()
        self._server: _ClosingMotoServer | None = None
        self._endpoint_url: str | None = None
        self._credentials: AwsCredentials | None = None
        self._clients: MotoClients | None = None

    @property
    def endpoint_url(self) -> str:
        if self._endpoint_url is None:
            raise RuntimeError("the moto server is not running: call start() first")
        return self._endpoint_url

    @property
    def credentials(self) -> AwsCredentials:
        if self._credentials is None:
            raise RuntimeError("the moto server is not running: call start() first")
        return self._credentials

    def start(self) -> None:
        if self._server is not None:
            return
        apply_moto_workarounds()
        # verbose=False does not silence werkzeug's one-line-per-request log.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        server = _ClosingMotoServer(self.outages)
        server.start()
        self._server = server
        host, port = server.get_host_and_port()
        self._endpoint_url = f"http://{host}:{port}"
        self._credentials = self._open_account()
        self._clients = MotoClients(self._endpoint_url, self._credentials)

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.stop()
        self._server = None
        self._endpoint_url = None
        self._clients = None
        if self._credentials is not None:
            _forget_account(self._credentials.account_id)
            self._credentials = None

    def client(self, service: str, region: str = DEFAULT_REGION) -> BaseClient:
        """A boto3 client for the sandbox account (shared; boto3 clients are thread-safe)."""
        if self._clients is None:
            raise RuntimeError("the moto server is not running: call start() first")
        return self._clients.get(service, region)

    def _open_account(self) -> AwsCredentials:
        account_id = _new_account_id()
        bootstrap = MotoClients(self.endpoint_url, AwsCredentials(account_id, "bootstrap", "bootstrap")).new("iam")

        # Only the first user is created by naming the account; its access key then selects the account.
        def name_account(request: Any, **_: Any) -> None:
            request.headers["x-moto-account-id"] = account_id

        bootstrap.meta.events.register("before-sign.iam.*", name_account)
        bootstrap.create_user(UserName=OPERATOR_USER_NAME)
        key = bootstrap.create_access_key(UserName=OPERATOR_USER_NAME)["AccessKey"]
        return AwsCredentials(account_id, key["AccessKeyId"], key["SecretAccessKey"])


def _new_account_id() -> str:
    while True:
        account_id = f"{secrets.randbelow(10**12):012d}"
        if account_id != _MOTO_DEFAULT_ACCOUNT:
            return account_id


def _forget_account(account_id: str) -> None:
    """Drop everything moto keeps for the account, in every service, so a stopped sandbox frees it."""
    # BackendDict keeps every service's per-account state; moto's own reset would clear all accounts.
    with backend_lock:
        for backend in list(getattr(BackendDict, "_instances", ())):
            backend.pop(account_id, None)


@functools.cache
def apply_moto_workarounds() -> None:
    """Fix, once per process, the moto 5.x KMS defects an operator would notice in the sandbox."""
    if not moto.__version__.startswith(_WORKAROUNDS_CHECKED_ON):
        return
    _widen_ciphertext_key_id()
    _complete_key_metadata()
    _detach_replica_configuration()


_MRK_KEY_ID_LEN = len("mrk-") + 36


def _widen_ciphertext_key_id() -> None:
    """Let multi-Region keys decrypt.

    moto's ciphertext blob starts with the key id in a fixed 36-byte field, enough for a UUID but not
    for a multi-Region id ("mrk-" + UUID, 40 characters): the id is cut short, so Decrypt cannot find
    the key and answers AccessDeniedException, even in the key's own region. The field becomes 40
    bytes, NUL-padded. `encrypt`/`decrypt` look the helpers up in the module, so replacing them is enough.
    """
    if kms_utils.KEY_ID_LEN >= _MRK_KEY_ID_LEN:
        return
    header_format = f">{_MRK_KEY_ID_LEN}s{kms_utils.IV_LEN}s{kms_utils.TAG_LEN}s"
    header_len = struct.calcsize(header_format)

    def serialize(ciphertext: kms_utils.Ciphertext) -> bytes:
        header = struct.pack(header_format, ciphertext.key_id.encode(), ciphertext.iv, ciphertext.tag)
        return header + ciphertext.ciphertext

    def deserialize(ciphertext_blob: bytes) -> kms_utils.Ciphertext:
        key_id, iv, tag = struct.unpack(header_format, ciphertext_blob[:header_len])
        return kms_utils.Ciphertext(
            key_id=key_id.rstrip(b"\0").decode(), iv=iv, ciphertext=ciphertext_blob[header_len:], tag=tag
        )

    kms_utils._serialize_ciphertext_blob = serialize
    kms_utils._deserialize_ciphertext_blob = deserialize


def _complete_key_metadata() -> None:
    """Make KeyMetadata look like AWS's.

    moto stores the request's MultiRegion and KeyUsage as given, so a key created without them has
    neither field in DescribeKey (AWS: MultiRegion false, KeyUsage ENCRYPT_DECRYPT). moto cannot import
    key material, so a key with Origin EXTERNAL stays where AWS leaves it until material arrives:
    PendingImport, disabled.
    """
    original_init = kms_models.Key.__init__

    @functools.wraps(original_init)
    def init(self: kms_models.Key, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.multi_region = bool(self.multi_region)
        self.key_usage = self.key_usage or "ENCRYPT_DECRYPT"
        if self.origin == "EXTERNAL":
            self.key_state = "PendingImport"
            self.enabled = False

    kms_models.Key.__init__ = init


def _detach_replica_configuration() -> None:
    """Give a replica key its own state, as AWS does.

    moto's replicate_key makes the replica with a shallow copy, so primary and replica share one
    MultiRegionConfiguration dict (describing the replica marks the primary REPLICA too) and one alias
    table (the primary's aliases show up in the replica's region, and creating the same alias name
    there fails with AlreadyExistsException). Aliases and grants are per region in AWS.
    """
    original_replicate = kms_models.KmsBackend.replicate_key

    @functools.wraps(original_replicate)
    def replicate_key(self: kms_models.KmsBackend, key_id: str, replica_region: str) -> kms_models.Key:
        replica = original_replicate(self, key_id, replica_region)
        configuration = copy.deepcopy(replica.multi_region_configuration)
        configuration["MultiRegionKeyType"] = "REPLICA"
        replica.multi_region_configuration = configuration
        replica.aliases = {}
        replica.grants = {}
        return replica

    kms_models.KmsBackend.replicate_key = replicate_key
