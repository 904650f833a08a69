"""What the operator decides in a key rotation: rotate now or only review the alert, the new key, the alert.

Setters validate what was typed and raise InputError saying what is wrong and what is expected, before
anything is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cmkwizard.atlas.models import PROVIDER_AWS, PROVIDER_AZURE
from cmkwizard.aws.arns import parse_key_ref
from cmkwizard.azure.identifiers import parse_key_identifier
from cmkwizard.errors import InputError
from cmkwizard.journeys.aws_inputs import check_region
from cmkwizard.journeys.aws_key import same_key
from cmkwizard.journeys.inputs import from_record, to_record
from cmkwizard.journeys.providers import key_config

if TYPE_CHECKING:
    from cmkwizard.state import ProjectState

ROTATE = "rotate"
"""Move the project to a new key (AWS) or key version (Azure) now."""
KEEP_KEY = "keep"
"""Keep the key (for example while AWS rotates it automatically under the same key id): only the alert."""
MODES = (ROTATE, KEEP_KEY)

MAX_ALERT_DAYS = 3650


def parse_alert_days(text: str) -> int:
    """The rotation alert's threshold: a whole number of days."""
    if not text.strip():
        raise InputError("No number of days given: give a whole number such as 90.")
    try:
        days = int(text.strip())
    except ValueError:
        raise InputError(f"'{text.strip()}' is not a number of days: give a whole number such as 90.") from None
    if not 1 <= days <= MAX_ALERT_DAYS:
        raise InputError(f"{days} days: the rotation alert takes 1 to {MAX_ALERT_DAYS} days.")
    return days


@dataclass
class RotateInputs:
    provider: str
    mode: str | None = None
    """ROTATE or KEEP_KEY; None until the operator has looked at where things stand and chosen."""
    old_key: str | None = None
    """The key the project used when this rotation started (what "rotated" is judged against)."""
    new_key: str | None = None
    """AWS: key id, key ARN or alias (an ARN once checked); Azure: the versioned key identifier."""
    region: str | None = None
    """AWS: the new key's region, Atlas form."""
    old_region: str | None = None
    region_change_confirmed: bool = False
    create_new: bool = False
    """AWS: create a new symmetric key; Azure: create a new version of the project's key."""
    extend_policy: bool = True
    """AWS: add the new key to the role's KMS policy (the old key's access is kept)."""
    checked_key: str | None = None
    alert_days: int | None = None
    """The rotation alert's threshold in days; None until the operator decides (kept or changed)."""
    alert_seen: int | None = None
    """The threshold the operator saw when deciding: the alert is not written over if it changed since."""

    def begin(self, state: ProjectState, mode: str) -> None:
        """Start from the project's key as it is now, rotating it or keeping it."""
        if mode not in MODES:
            raise InputError(f"Unknown choice {mode!r}: expected one of {', '.join(MODES)}.")
        config = key_config(state.encryption, self.provider)
        if not config.enabled or not config.key:
            raise InputError(f"The project does not use {config.label} yet: there is no key to rotate.")
        if self.old_key is None:
            self.old_key = config.key
            self.old_region = state.encryption.aws_kms.region if self.provider == PROVIDER_AWS else None
        self.mode = mode

    def set_region(self, text: str, *, atlas_partition: str = "aws") -> str:
        self.region = check_region(text, atlas_partition)
        self.region_change_confirmed = False
        self._forget_key_check()
        return self.region

    def set_new_key(self, text: str) -> str:
        """AWS: key id, key ARN or alias (an ARN also sets the region); Azure: a versioned key identifier in
        the project's key vault."""
        text = text.strip()
        if self.provider == PROVIDER_AZURE:
            key = parse_key_identifier(text)
            old = parse_key_identifier(self.old_key, require_version=False) if self.old_key else None
            if old is not None and key.vault_name.lower() != old.vault_name.lower():
                raise InputError(
                    f"Key {key.key_name} is in vault {key.vault_name}; Atlas can only rotate to a key in the project's "
                    f"vault {old.vault_name}. Create the new key (or version) there."
                )
            if self.old_key and key.url.lower() == self.old_key.lower():
                raise InputError("That is the key version the project uses now: give a new version or another key.")
            self.new_key = key.url
        else:
            ref = parse_key_ref(text, self.region)
            if self.old_key and same_key(ref.arn or ref.key_id or "", self.old_key):
                raise InputError(
                    "That is the key the project uses now. Give another key, or keep this one if AWS rotates it "
                    "automatically (the key id stays the same)."
                )
            self.new_key = ref.arn or ref.key_id or ref.alias
            if ref.atlas_region and ref.atlas_region != self.region:
                self.region = ref.atlas_region
                self.region_change_confirmed = False
        self.create_new = False
        self._forget_key_check()
        return self.new_key or ""

    def choose_to_create(self) -> None:
        """AWS: create a new key in the chosen region; Azure: create a new version of the project's key."""
        self.create_new = True
        self.new_key = None
        self._forget_key_check()

    def set_alert_days(self, text: str) -> int:
        self.alert_days = parse_alert_days(text)
        return self.alert_days

    @property
    def region_changes(self) -> bool:
        return bool(self.region and self.old_region and self.region != self.old_region)

    def _forget_key_check(self) -> None:
        self.checked_key = None

    def to_record(self) -> dict[str, Any]:
        return to_record(self)

    @classmethod
    def from_record(cls, provider: str, record: Mapping[str, Any]) -> RotateInputs:
        return from_record(cls, {**record, "provider": provider})


def uses_new_key(state: ProjectState, inputs: RotateInputs) -> bool:
    """Whether the project now uses the key this rotation chose (never merely "some key")."""
    if not inputs.new_key:
        return False
    if inputs.provider == PROVIDER_AWS:
        kms = state.encryption.aws_kms
        return (
            kms.enabled
            and same_key(kms.customer_master_key_id, inputs.new_key)
            and (inputs.region is None or kms.region == inputs.region)
        )
    akv = state.encryption.azure_key_vault
    return akv.enabled and (akv.key_identifier or "").lower() == inputs.new_key.lower()


def rotating(inputs: RotateInputs) -> bool:
    return inputs.mode == ROTATE
