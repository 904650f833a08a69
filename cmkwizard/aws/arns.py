"""IAM role and KMS key references as operators paste them: parsed, checked and written canonically.

A reference is accepted as typed (after trimming whitespace and quotes) or refused; nothing is
cleaned into another value: an empty path segment (``role//name``), a hidden character or a
look-alike letter is refused and named. Only spellings of the same value are made canonical: the
ARN of a role given by name, hexadecimal key ids in lower case, the console's ``1234-5678-9012``
account id. Each refusal names what was given, what is wrong with it and what to paste instead;
where the intended value can be derived (the role behind an assumed-role session, ``alias/x`` for
a bare alias name), the message says it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from cmkwizard.aws.errors import InputError
from cmkwizard.aws.regions import KMS_REGIONS, PARTITIONS, partition_for, to_aws_region
from cmkwizard.text_input import require_plain_text, unquote

__all__ = [
    "InputError",
    "KeyRef",
    "RoleRef",
    "atlas_key_identifier",
    "key_arn",
    "parse_account_id",
    "parse_key_ref",
    "parse_role_ref",
    "validate_role_name",
    "validate_role_path",
]

ROLE_ARN_FORM = "arn:aws:iam::<12-digit account id>:role/<name>"
KEY_FORMS = (
    "a key id (1234abcd-12ab-34cd-56ef-1234567890ab), a multi-Region key id (mrk-<32 hex digits>), "
    "a key ARN (arn:aws:kms:<region>:<account id>:key/<key id>), an alias (alias/<name>) "
    "or an alias ARN (arn:aws:kms:<region>:<account id>:alias/<name>)"
)

_ROLE_NAME_CHARS = re.compile(r"[A-Za-z0-9+=,.@_-]")
_ROLE_NAME_MAX = 64
_ROLE_PATH = re.compile(r"/|/[\x21-\x7e]+/")
_EMPTY_SEGMENT = "//"
_ROLE_PATH_MAX = 512
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# AWS writes multi-Region ids as mrk- + 32 hex digits; moto (the sandbox) puts a dashed uuid after mrk-.
_KEY_ID = re.compile(rf"(?:{_UUID}|mrk-(?:[0-9a-f]{{32}}|{_UUID}))", re.IGNORECASE)
_ALIAS_NAME = re.compile(r"alias/[A-Za-z0-9:/_-]+")
_ALIAS_MAX = 256
_AWS_MANAGED_ALIAS_PREFIX = "alias/aws/"

KeyKind = Literal["key-id", "key-arn", "alias", "alias-arn"]


@dataclass(frozen=True)
class RoleRef:
    """An IAM role: ``arn`` is canonical (``arn:<partition>:iam::<account>:role<path><name>``)."""

    arn: str
    account_id: str
    name: str
    path: str
    partition: str


@dataclass(frozen=True)
class KeyRef:
    """A KMS key as given: a key (id or ARN) or an alias (name or ARN).

    ``region`` is in AWS form (``us-east-1``) and comes from the ARN or, for ids and alias names,
    from the region chosen for Atlas. ``multi_region`` is ``None`` for aliases: only the key they
    point to can tell.
    """

    kind: KeyKind
    key_id: str | None
    alias: str | None
    region: str | None
    account_id: str | None
    multi_region: bool | None
    arn: str | None

    @property
    def is_alias(self) -> bool:
        return self.kind in ("alias", "alias-arn")

    @property
    def atlas_region(self) -> str | None:
        return KMS_REGIONS[self.region] if self.region else None

    @property
    def api_identifier(self) -> str:
        """What to pass to KMS as ``KeyId``: the ARN when known, else the key id or alias."""
        return self.arn or self.key_id or self.alias or ""

    def replica_arn(self, region: str) -> str:
        """The ARN of this multi-Region key's replica in ``region`` (same key id, other region)."""
        if not (self.kind == "key-arn" and self.multi_region and self.account_id and self.key_id):
            raise InputError(
                f"{self.api_identifier} is not a multi-Region key ARN: only multi-Region keys "
                "(ids starting with mrk-) have replicas in other regions."
            )
        code = to_aws_region(region)
        return key_arn(code, self.account_id, self.key_id)


@dataclass(frozen=True)
class _Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str


def parse_role_ref(text: str, default_account: str | None = None, *, partition: str | None = None) -> RoleRef:
    """A role ARN, or a role name (optionally ``/path/name``) when the account is known.

    ``partition``, when given (e.g. from the key's region), must match the ARN's partition.
    """
    given = unquote(text)
    if not given:
        raise InputError(f"No IAM role given. Expected the role ARN, {ROLE_ARN_FORM}.")
    require_plain_text(given, "IAM role", f"the role ARN, {ROLE_ARN_FORM}", spaces=True)
    if given.lower().startswith("arn:"):
        arn = _split_arn(given, what="role ARN", form=ROLE_ARN_FORM)
        _check_role_arn_kind(given, arn)
        if arn.region:
            raise InputError(f"'{given}' has a region ('{arn.region}'), but IAM ARNs have none: {ROLE_ARN_FORM}.")
        account = parse_account_id(arn.account, strict=True)
        path, name = _split_role_resource(given, arn.resource[len("role") :])
        role_partition = arn.partition
    else:
        if default_account is None:
            raise InputError(
                f"'{given}' is a role name, but the AWS account is not known yet. "
                f"Paste the role ARN instead: {ROLE_ARN_FORM}."
            )
        account = parse_account_id(default_account)
        # "role/<path>/<name>" as in an ARN, "/<path>/<name>" as IAM writes a path, or a bare name.
        resource = given[len("role") :] if given.startswith("role/") else given
        if "/" not in resource:
            resource = "/" + resource
        elif not resource.startswith("/") and not resource.endswith("/"):
            fixed = "/" + resource.rpartition("/")[0].strip("/") + "/"
            raise InputError(
                f"The role path in '{given}' must start and end with '/' (e.g. '{fixed}'); "
                f"type /{resource} or the role ARN, {ROLE_ARN_FORM}."
            )
        path, name = _split_role_resource(given, resource)
        role_partition = partition or "aws"
    if partition is not None and role_partition != partition:
        raise InputError(
            f"The role is in partition '{role_partition}' but the key's region is in partition "
            f"'{partition}': Atlas needs a role in the same partition as the key "
            f"(arn:{partition}:iam::<account id>:role/<name>)."
        )
    arn_text = f"arn:{role_partition}:iam::{account}:role{path}{name}"
    return RoleRef(arn_text, account, name, path, role_partition)


def parse_key_ref(text: str, region: str | None = None) -> KeyRef:
    """A key id, multi-Region key id, key ARN, alias name or alias ARN.

    ``region`` (any spelling) is the region chosen for Atlas: an ARN in another region is refused.
    """
    chosen = to_aws_region(region) if region is not None else None
    given = unquote(text)
    if not given:
        raise InputError(f"No KMS key given. Expected {KEY_FORMS}.")
    require_plain_text(given, "KMS key", KEY_FORMS, spaces=True)
    if given.lower().startswith("arn:"):
        return _parse_key_arn(given, chosen)
    if _KEY_ID.fullmatch(given):
        key_id = given.lower()
        return KeyRef("key-id", key_id, None, chosen, None, key_id.startswith("mrk-"), None)
    if given.startswith("alias/"):
        return KeyRef("alias", None, _check_alias(given), chosen, None, None, None)
    raise InputError(_unrecognised_key_message(given))


def atlas_key_identifier(key_ref: KeyRef, role_account: str | None) -> str:
    """What to send to Atlas as ``customerMasterKeyID``.

    The key id when the key is in the role's account, the full key ARN when it is in another
    account (Atlas needs it to find a cross-account key) or when the role's account is unknown.
    """
    if key_ref.is_alias or key_ref.key_id is None:
        raise InputError(
            f"{key_ref.api_identifier} is an alias; Atlas needs the key itself, because an alias "
            "can later be moved to another key. Look up the key it points to "
            f"(aws kms describe-key --key-id {key_ref.api_identifier} --query KeyMetadata.Arn) "
            "and use that key id or ARN."
        )
    if key_ref.arn and key_ref.account_id != role_account:
        return key_ref.arn
    return key_ref.key_id


def key_arn(region: str, account_id: str, key_id: str) -> str:
    """The ARN of key ``key_id`` in ``region`` (any spelling) of ``account_id``."""
    code = to_aws_region(region)
    return f"arn:{partition_for(code)}:kms:{code}:{parse_account_id(account_id)}:key/{key_id}"


def parse_account_id(text: str, *, strict: bool = False) -> str:
    """A 12-digit AWS account id; the console's ``1234-5678-9012`` form is accepted unless ``strict``."""
    given = unquote(text)
    digits = given if strict else re.sub(r"^(\d{4})-(\d{4})-(\d{4})$", r"\1\2\3", given)
    if digits.isascii() and digits.isdigit() and len(digits) == 12:
        return digits
    problem = f"has {len(digits)} digits" if digits.isascii() and digits.isdigit() else "is not a number"
    raise InputError(
        f"The AWS account id '{given}' {problem}: account ids are exactly 12 digits, "
        "leading zeros included (e.g. 012345678901)."
    )


def validate_role_name(name: str) -> str:
    """IAM rules: 1-64 characters from letters, digits and ``+=,.@_-``."""
    if not name:
        raise InputError("The role name is empty. IAM role names are 1-64 characters.")
    bad = sorted({c for c in name if not _ROLE_NAME_CHARS.fullmatch(c)})
    if bad:
        shown = " ".join(repr(c) for c in bad)
        raise InputError(
            f"The role name '{name}' contains characters IAM does not allow: {shown}. "
            "Role names use letters, digits and + = , . @ _ - only."
        )
    if len(name) > _ROLE_NAME_MAX:
        raise InputError(f"The role name '{name}' is {len(name)} characters long; IAM allows at most {_ROLE_NAME_MAX}.")
    return name


def validate_role_path(path: str) -> str:
    """IAM rules: ``/`` or ``/segments/``, printable ASCII, at most 512 characters."""
    if not path.startswith("/") or not path.endswith("/"):
        fixed = "/" + path.strip("/") + "/" if path.strip("/") else "/"
        raise InputError(f"The role path '{path}' must start and end with '/' (e.g. '{fixed}'); use '/' for no path.")
    if _EMPTY_SEGMENT in path:
        raise InputError(
            f"The role path '{path}' has an empty segment ('{_EMPTY_SEGMENT}'): check for a doubled '/'. "
            "Paths are '/' or '/segments/' with a name between every two slashes."
        )
    if len(path) > _ROLE_PATH_MAX or not _ROLE_PATH.fullmatch(path):
        raise InputError(
            f"The role path '{path}' is not a valid IAM path: '/' or '/segments/' of printable "
            f"ASCII without spaces, at most {_ROLE_PATH_MAX} characters."
        )
    return path


def _split_arn(text: str, *, what: str, form: str) -> _Arn:
    parts = text.split(":", 5)
    if len(parts) < 6 or not parts[5]:
        raise InputError(f"'{text}' is not a complete {what}: expected {form} (six parts separated by ':').")
    _, partition, service, region, account, resource = parts
    if partition not in PARTITIONS:
        raise InputError(
            f"'{text}' names the partition '{partition}'. Expected 'aws', 'aws-cn' (China regions) "
            f"or 'aws-us-gov' (GovCloud regions): {form}."
        )
    return _Arn(partition, service, region, account, resource)


def _check_role_arn_kind(given: str, arn: _Arn) -> None:
    resource_type, _, rest = arn.resource.partition("/")
    if arn.service == "sts" and resource_type == "assumed-role":
        role_name = rest.split("/", 1)[0]
        role_arn = f"arn:{arn.partition}:iam::{arn.account}:role/{role_name}"
        raise InputError(
            f"'{given}' is an assumed-role session ARN (what 'aws sts get-caller-identity' prints "
            f"while using the role), not the role's ARN. The role is probably {role_arn}; if the "
            f"role has a path, 'aws iam get-role --role-name {role_name} --query Role.Arn' prints "
            "the exact ARN."
        )
    if arn.service == "sts":
        raise InputError(f"'{given}' is an STS session ARN, not an IAM role. Expected {ROLE_ARN_FORM}.")
    if arn.service != "iam":
        raise InputError(
            f"'{given}' is an ARN of the '{arn.service}' service, not an IAM role. Expected {ROLE_ARN_FORM}."
        )
    if resource_type == "role":
        return
    if resource_type == "user":
        raise InputError(
            f"'{given}' is an IAM user. Atlas only accepts an IAM role it can assume "
            f"(IAM users are no longer supported). Expected {ROLE_ARN_FORM}."
        )
    if resource_type == "instance-profile":
        raise InputError(
            f"'{given}' is an instance profile, not a role. The role inside it: 'aws iam "
            f"get-instance-profile --instance-profile-name {rest.rsplit('/', 1)[-1]} "
            f"--query InstanceProfile.Roles[].Arn'. Expected {ROLE_ARN_FORM}."
        )
    if arn.resource == "root":
        raise InputError(f"'{given}' is the account principal (root), not a role. Expected {ROLE_ARN_FORM}.")
    raise InputError(f"'{given}' is an IAM {resource_type or 'resource'}, not a role. Expected {ROLE_ARN_FORM}.")


def _split_role_resource(given: str, resource: str) -> tuple[str, str]:
    """``/service-role/atlas-kms`` (what follows ``role`` in an ARN) -> path ``/service-role/`` and name."""
    if not resource.startswith("/") or resource.endswith("/"):
        raise InputError(
            f"'{given}' ends without a role name. Expected {ROLE_ARN_FORM} "
            "(or role/<path>/<name> for a role with a path)."
        )
    head, _, name = resource.rpartition("/")
    return validate_role_path(head + "/"), validate_role_name(name)


def _parse_key_arn(given: str, chosen: str | None) -> KeyRef:
    arn = _split_arn(given, what="KMS key ARN", form="arn:aws:kms:<region>:<account id>:key/<key id>")
    if arn.service != "kms":
        raise InputError(f"'{given}' is an ARN of the '{arn.service}' service, not a KMS key. Expected {KEY_FORMS}.")
    try:
        region = to_aws_region(arn.region)
    except InputError as err:
        raise InputError(f"The region in the key ARN '{given}' is not usable. {err.message}") from None
    expected_partition = partition_for(region)
    if arn.partition != expected_partition:
        raise InputError(
            f"'{given}' is in region {region}, which belongs to the partition '{expected_partition}': "
            f"the ARN must start with arn:{expected_partition}:kms:{region}:."
        )
    account = parse_account_id(arn.account, strict=True)
    resource_type, _, value = arn.resource.partition("/")
    if resource_type == "key" and _KEY_ID.fullmatch(value):
        key_id = value.lower()
        ref = KeyRef(
            "key-arn",
            key_id,
            None,
            region,
            account,
            key_id.startswith("mrk-"),
            f"arn:{arn.partition}:kms:{region}:{account}:key/{key_id}",
        )
    elif resource_type == "alias" and value:
        alias = _check_alias(f"alias/{value}")
        ref = KeyRef(
            "alias-arn",
            None,
            alias,
            region,
            account,
            None,
            f"arn:{arn.partition}:kms:{region}:{account}:{alias}",
        )
    elif resource_type == "key":
        raise InputError(
            f"'{value}' in '{given}' is not a KMS key id. Key ids look like "
            "1234abcd-12ab-34cd-56ef-1234567890ab, multi-Region key ids like mrk-<32 hex digits>."
        )
    else:
        raise InputError(f"'{given}' is neither a key nor an alias ARN. Expected {KEY_FORMS}.")
    _check_region(ref, chosen)
    return ref


def _check_region(ref: KeyRef, chosen: str | None) -> None:
    if chosen is None or ref.region == chosen:
        return
    what = "alias" if ref.is_alias else "key"
    message = (
        f"The {what} ARN is in {ref.region} ({KMS_REGIONS[ref.region]}) but the region chosen for "
        f"Atlas is {chosen} ({KMS_REGIONS[chosen]}). A KMS key lives in one region: choose "
        f"{ref.region}, or a key in {chosen}."
    )
    if ref.multi_region:
        message += f" If this multi-Region key has a replica there, its ARN is {ref.replica_arn(chosen)}."
    raise InputError(message)


def _check_alias(alias: str) -> str:
    if alias.startswith(_AWS_MANAGED_ALIAS_PREFIX):
        raise InputError(
            f"{alias} is an AWS managed key: its key policy cannot be changed, so Atlas can never "
            "be allowed to use it. Use a customer managed key (create one with "
            "'aws kms create-key' and give it an alias of your own)."
        )
    if not _ALIAS_NAME.fullmatch(alias) or len(alias) > _ALIAS_MAX:
        raise InputError(
            f"'{alias}' is not a valid alias: aliases are alias/<name>, up to {_ALIAS_MAX} "
            "characters of letters, digits and / _ - :."
        )
    return alias


def _unrecognised_key_message(given: str) -> str:
    compact = given.lower().removeprefix("mrk-").replace("-", "")
    if len(compact) >= 20 and re.fullmatch(r"[0-9a-f]+", compact):
        return (
            f"'{given}' looks like a key id but has {len(compact)} hex digits instead of 32 "
            f"(check for a missing or extra character). Expected {KEY_FORMS}."
        )
    if _ALIAS_NAME.fullmatch(f"alias/{given}"):
        return f"'{given}' is not a key id. If it is an alias, write alias/{given}. Expected {KEY_FORMS}."
    return f"'{given}' is not a KMS key reference. Expected {KEY_FORMS}."
