"""Errors of the AWS modules: operator input the wizard cannot use, and failed AWS calls."""

from __future__ import annotations

from cmkwizard.errors import InputError  # noqa: F401  (re-exported)

NO_CREDENTIALS = "NoCredentials"
ACCESS_DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException"})
_MANUAL = "the wizard will show the documents and console steps to apply by hand"


# code -> (meaning, next step). Codes as AWS returns them; several services spell one problem differently.
_EXPLANATIONS: dict[str, tuple[str, str]] = {
    "AccessDenied": (
        "The AWS identity in use is not allowed to do this.",
        "Ask for the permission named in the message, use another AWS profile, or apply the change "
        f"by hand: {_MANUAL}.",
    ),
    "NoSuchEntity": (
        "The IAM role or policy does not exist in this AWS account.",
        "Check the role name and that the AWS profile points at the right account; or create the role.",
    ),
    "EntityAlreadyExists": (
        "An IAM role or policy with this name already exists.",
        "Reuse it (the wizard can merge the Atlas statement into its trust policy) or choose another name.",
    ),
    "NotFoundException": (
        "The KMS key or alias does not exist in this account and region.",
        "Check the key id and the region: KMS keys are regional, a key is found only in the region it was "
        "created in (or given as its full key ARN).",
    ),
    "DisabledException": (
        "The KMS key is disabled.",
        "Enable it (aws kms enable-key --key-id <key>) or choose another key.",
    ),
    "KMSInvalidStateException": (
        "The KMS key's state does not allow this (for example it is pending deletion or pending import).",
        "Cancel the deletion (aws kms cancel-key-deletion --key-id <key>), finish the import, or choose another key.",
    ),
    "MalformedPolicyDocument": (
        "IAM refused the policy document.",
        "The message names the problem; check the statements kept from the existing policy, then retry.",
    ),
    "LimitExceeded": (
        "An IAM quota is reached (for example the size of a trust policy or the number of inline policies).",
        "Remove unused statements or policies from the role, then retry.",
    ),
    "UnmodifiableEntity": (
        "This role is managed by an AWS service and cannot be changed.",
        "Use a role you own for Atlas.",
    ),
    "InvalidClientTokenId": (
        "AWS does not know the access key id in use (deleted, mistyped, or for another partition).",
        "Check the AWS profile or AWS_ACCESS_KEY_ID, or run 'aws configure'.",
    ),
    "SignatureDoesNotMatch": (
        "The secret access key does not belong to the access key id in use.",
        "Check the AWS profile or AWS_SECRET_ACCESS_KEY.",
    ),
    "ExpiredToken": (
        "The AWS session credentials have expired.",
        "Refresh them ('aws sso login --profile <profile>' or new temporary credentials), then retry.",
    ),
    NO_CREDENTIALS: (
        f"No AWS credentials: {_MANUAL}.",
        "To let the wizard apply changes itself, set AWS_PROFILE or run 'aws configure' or 'aws sso login'.",
    ),
    "ProfileNotFound": (
        "The AWS profile named is not in ~/.aws/config or ~/.aws/credentials.",
        "Check the profile name ('aws configure list-profiles').",
    ),
    "EndpointConnectionError": (
        "AWS could not be reached (network, proxy, or endpoint URL).",
        "Check the network and proxy settings, then retry.",
    ),
    "Throttling": (
        "AWS is throttling requests from this account.",
        "Wait a moment and retry.",
    ),
    "InvalidParameter": (
        "AWS refused a parameter of the request.",
        "The message names the parameter; correct the input and retry.",
    ),
    "ServiceUnavailable": (
        "The AWS service in this region is not answering: a regional outage or a lost network path.",
        "Check the AWS Health Dashboard for the region. A project whose key is multi-Region can move to a "
        "replica of the key in a healthy region; otherwise wait for the region to recover.",
    ),
    "ServiceError": (
        "AWS (or the AWS stand-in) failed to answer this request.",
        "Retry; if it keeps failing, apply the change by hand with the documents the wizard shows.",
    ),
}
_ALIASES = {
    "AccessDeniedException": "AccessDenied",
    "ExpiredTokenException": "ExpiredToken",
    "RequestExpired": "ExpiredToken",
    "UnrecognizedClientException": "InvalidClientTokenId",
    "ThrottlingException": "Throttling",
    "LimitExceededException": "LimitExceeded",
    "ValidationError": "InvalidParameter",
    "ValidationException": "InvalidParameter",
    "InvalidArnException": "InvalidParameter",
    "KMSInternalException": "ServiceError",
    "DependencyTimeoutException": "ServiceError",
    "ServiceFailure": "ServiceError",
}


class AwsError(Exception):
    """A failed AWS call. ``what`` names the call, the code and AWS' message; ``code`` is AWS' error code;
    ``meaning`` and ``next_step`` explain it."""

    def __init__(self, code: str, message: str, operation: str, *, http_status: int | None = None) -> None:
        super().__init__(f"{operation}: {code}: {message}")
        self.code = code
        self.message = message
        self.operation = operation
        self.http_status = http_status

    @property
    def what(self) -> str:
        return str(self)

    @property
    def is_access_denied(self) -> bool:
        return self.code in ACCESS_DENIED_CODES

    @property
    def is_not_found(self) -> bool:
        return self.code in ("NoSuchEntity", "NotFoundException")

    @property
    def meaning(self) -> str:
        return self._explanation[0]

    @property
    def next_step(self) -> str:
        return self._explanation[1]

    @property
    def _explanation(self) -> tuple[str, str]:
        key = _ALIASES.get(self.code, self.code)
        return _EXPLANATIONS.get(
            key,
            (f"AWS refused the request with {self.code}.", "Read the message, correct the cause and retry."),
        )
