"""The provider-neutral steps of a key rotation: where things stand, the switch's frame, the clusters
following the new key back to IDLE, and the rotation alert."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cmkwizard.atlas.errors import AtlasError
from cmkwizard.journeys import calls
from cmkwizard.journeys.atlas_facts import ROTATION_ALERT
from cmkwizard.journeys.aws_enable import wait_for_valid
from cmkwizard.journeys.base import (
    Consequence,
    JourneyRun,
    PlannedCall,
    Progress,
    ProgressEvent,
    Step,
    StepError,
    StepState,
    StepView,
    atlas_call,
)
from cmkwizard.journeys.clusters import cluster_done, cluster_line, follow_clusters
from cmkwizard.journeys.providers import CONFIG_FIELDS, key_config
from cmkwizard.journeys.rotate_inputs import KEEP_KEY, ROTATE, RotateInputs, rotating, uses_new_key
from cmkwizard.journeys.rotation_facts import AUTOMATIC_ROTATION_DAYS, AWS_KEY_ROTATION, where_things_stand

if TYPE_CHECKING:
    from cmkwizard.atlas.models import AlertConfig
    from cmkwizard.state import ProjectState

OLD_KEY_WARNING = (
    "Atlas: do not disable or delete the previous key until the change has deployed to every cluster; snapshots "
    "taken with it still need it until they expire."
)
WAITING_FOR_CHOICE = "Choose first: rotate to a new key now, or keep the key."


class StandingStep(Step[RotateInputs]):
    key = "standing"
    title = "Where things stand"
    help = """\
**Where things stand.** The project's key, when it was last rotated (Atlas' `*_ENCRYPTION_KEY_ROTATED`
events, else the last configuration change), the rotation alert Atlas created (it fires a number of
days after the last rotation), and what the key service does itself: AWS KMS can rotate a key's
material automatically under the **same key id**, which needs no change in Atlas; Azure Key Vault keeps
versions, and Atlas pins one. Then choose: rotate to a new key now, or keep the key and only review
the alert.
"""

    def assess(self, state: ProjectState, inputs: RotateInputs) -> StepView:
        if inputs.mode == ROTATE:
            return self.view(StepState.DONE, f"Rotating away from {inputs.old_key}")
        if inputs.mode == KEEP_KEY:
            return self.view(StepState.DONE, f"Keeping key {inputs.old_key}; only the rotation alert")
        return self.view(StepState.TODO, "Rotate to a new key now, or keep the key?")

    def plan(self, state: ProjectState, inputs: RotateInputs) -> list[PlannedCall]:
        return []

    async def apply(self, run: JourneyRun[RotateInputs], progress: Progress) -> None:
        inputs = run.inputs
        if inputs.mode is None:
            raise StepError(self.key, "Nothing chosen yet", "The rotation needs your choice.", WAITING_FOR_CHOICE)
        state = await run.read_state()
        for line in where_things_stand(state, inputs.provider, run.clock.now()):
            progress(ProgressEvent(self.key, line))
        run.record_decision("key rotation", {"mode": inputs.mode, "key": inputs.old_key})


@dataclass(frozen=True)
class SwitchChange:
    """The fields the switch changes, as the project has them now and as they will be."""

    before: dict[str, Any]
    after: dict[str, Any]


class SwitchStep(Step[RotateInputs]):
    """The PATCH that moves the project to the new key, confirmed, then followed until Atlas reports it valid.

    A provider says what would change (``patch_fields``), checks the new key just before the PATCH
    (``recheck``) and sends it (``send``).
    """

    key = "switch"
    title = "Switch to the new key"
    access_check: str = ""

    @abstractmethod
    def patch_fields(self, state: ProjectState, inputs: RotateInputs) -> dict[str, Any]:
        """The configuration fields the PATCH changes (Atlas names), and nothing else."""

    @abstractmethod
    def current_fields(self, state: ProjectState) -> dict[str, Any]:
        """The project's key fields as Atlas has them now (Atlas names)."""

    def change(self, state: ProjectState, inputs: RotateInputs) -> SwitchChange:
        current = self.current_fields(state)
        fields = self.patch_fields(state, inputs)
        return SwitchChange({name: current.get(name) for name in fields}, fields)

    @abstractmethod
    async def recheck(self, run: JourneyRun[RotateInputs], state: ProjectState, progress: Progress) -> None:
        """Just before the PATCH: StepError (nothing sent) when Atlas could not use the new key."""

    @abstractmethod
    async def send(self, run: JourneyRun[RotateInputs], progress: Progress, change: SwitchChange) -> None: ...

    def ready(self, state: ProjectState, inputs: RotateInputs) -> bool:
        return bool(inputs.new_key) and inputs.checked_key == inputs.new_key

    def assess(self, state: ProjectState, inputs: RotateInputs) -> StepView:
        if inputs.mode == KEEP_KEY:
            return self.view(StepState.SKIPPED, "Keeping the key")
        config = key_config(state.encryption, inputs.provider)
        if uses_new_key(state, inputs):
            if config.valid:
                return self.view(StepState.DONE, f"The project uses {config.key}; Atlas reports it valid")
            return self.view(StepState.TODO, f"Switched to {config.key}; waiting for Atlas to report it valid")
        if not rotating(inputs):
            return self.view(StepState.TODO, "Waiting for your choice", WAITING_FOR_CHOICE)
        if not self.ready(state, inputs):
            return self.view(StepState.TODO, "Waiting for the new key", "Choose and check the new key first.")
        return self.view(StepState.TODO, self._describe(state, inputs))

    def precondition(self, state: ProjectState, inputs: RotateInputs) -> str | None:
        if uses_new_key(state, inputs):
            return None
        if not rotating(inputs) or not self.ready(state, inputs):
            return "Choose and check the new key first."
        return None

    def consequence(self, state: ProjectState, inputs: RotateInputs) -> Consequence | None:
        if not rotating(inputs) or uses_new_key(state, inputs) or not self.ready(state, inputs):
            return None
        provider = inputs.provider
        encrypted = [c.name for c in state.clusters if c.encryption_at_rest_provider == provider]
        change = self.change(state, inputs)
        changes = ", ".join(f"{name} `{change.before[name]}` → `{value}`" for name, value in change.after.items())
        return Consequence(
            "Switch the project to the new key?",
            f"Atlas will change {changes} and re-wrap the data keys of every encrypted cluster "
            f"({', '.join(encrypted) or 'none yet'}) with the new key, in a rolling change without downtime. "
            f"From then on the project depends on the new key. Keep the previous key `{inputs.old_key}` enabled: "
            "do not disable or delete it until the change has deployed and no snapshot taken with it remains.",
            "Switch to the new key",
        )

    def plan(self, state: ProjectState, inputs: RotateInputs) -> list[PlannedCall]:
        if not rotating(inputs) or uses_new_key(state, inputs) or not inputs.new_key:
            return []
        body = {CONFIG_FIELDS[inputs.provider]: self.patch_fields(state, inputs)}
        return [calls.update_encryption_at_rest(state.project_id, body, self._describe(state, inputs))]

    def _describe(self, state: ProjectState, inputs: RotateInputs) -> str:
        fields = self.patch_fields(state, inputs)
        return "Switch to the new key: " + ", ".join(f"{name} {value}" for name, value in fields.items())

    async def apply(self, run: JourneyRun[RotateInputs], progress: Progress) -> None:
        state = await run.read_state()  # re-read: judge from the project as it is now, not as it was shown
        if not uses_new_key(state, run.inputs):
            await self.recheck(run, state, progress)
            change = self.change(state, run.inputs)
            run.record_decision("switch to the new key", change.after)
            await self.send(run, progress, change)
        await wait_for_valid(run, progress, self.key, self.access_check)
        progress(ProgressEvent(self.key, OLD_KEY_WARNING, 1.0))


def _encrypted_clusters(state: ProjectState, provider: str) -> list[str]:
    return [c.name for c in state.clusters if c.encryption_at_rest_provider == provider and not c.paused]


class ReencryptStep(Step[RotateInputs]):
    key = "clusters"
    title = "Clusters back to IDLE"
    help = """\
**Clusters follow the new key.** After the switch Atlas re-wraps every encrypted cluster's data keys
with the new key in a rolling change (`UPDATING`, no downtime). The wizard follows each one back to
`IDLE`. Until then, and until no snapshot taken with it remains, keep the previous key enabled: Atlas
warns not to disable or delete it before the change has deployed. A paused cluster changes when it
resumes.
"""

    def assess(self, state: ProjectState, inputs: RotateInputs) -> StepView:
        if inputs.mode == KEEP_KEY:
            return self.view(StepState.SKIPPED, "Keeping the key")
        config = key_config(state.encryption, inputs.provider)
        if not uses_new_key(state, inputs) or not config.valid:
            return self.view(StepState.TODO, "Waiting for the switch", "Switch the project to the new key first.")
        names = _encrypted_clusters(state, inputs.provider)
        lines = "; ".join(cluster_line(c) for n in names if (c := state.cluster(n))) or "No encrypted cluster"
        if all(cluster_done(state.cluster(n), inputs.provider) for n in names):
            return self.view(StepState.DONE, lines)
        return self.view(StepState.TODO, lines)

    def precondition(self, state: ProjectState, inputs: RotateInputs) -> str | None:
        if not uses_new_key(state, inputs):
            return "Switch the project to the new key first."
        return None

    def plan(self, state: ProjectState, inputs: RotateInputs) -> list[PlannedCall]:
        return []

    async def apply(self, run: JourneyRun[RotateInputs], progress: Progress) -> None:
        state = await run.read_state()
        names = _encrypted_clusters(state, run.inputs.provider)
        if names:
            await follow_clusters(run, progress, self.key, names, run.inputs.provider)
        progress(ProgressEvent(self.key, OLD_KEY_WARNING, 1.0))


def rotation_alert(state: ProjectState) -> AlertConfig | None:
    return state.observed.get(ROTATION_ALERT.name)


def automatic_rotation(state: ProjectState) -> bool:
    """Whether AWS is known to rotate the project's key material itself."""
    rotation = state.observed.get(AWS_KEY_ROTATION.name)
    return bool(rotation is not None and rotation.enabled)


def alert_body(alert: AlertConfig, days: int) -> dict[str, Any]:
    """The alert configuration as Atlas has it, with only the threshold changed (PUT replaces it whole)."""
    return {**alert.raw, "threshold": {"operator": "GREATER_THAN", "threshold": days, "units": "DAYS"}}


class RotationAlertStep(Step[RotateInputs]):
    key = "alert"
    title = "Rotation alert"
    help = f"""\
**The rotation alert.** Atlas creates a `*_ENCRYPTION_KEY_NEEDS_ROTATION` alert (90 days) when a
customer key is configured; it fires that many days after the key was last rotated. Keep it, or give
another threshold: the wizard changes only the threshold of the existing alert (a PUT of the whole
configuration, read just before). With AWS automatic rotation on, KMS rotates the key material every
year under the same key id, so a threshold above {AUTOMATIC_ROTATION_DAYS} days avoids reminders for
rotations that happen anyway.
"""

    def assess(self, state: ProjectState, inputs: RotateInputs) -> StepView:
        if state.observed.fact(ROTATION_ALERT.name) is None:
            return self.view(StepState.TODO, "Reading the rotation alert")
        if (reason := state.observed.unavailable(ROTATION_ALERT.name)) is not None:
            return self.view(StepState.BLOCKED, "The rotation alert could not be read", reason)
        alert = rotation_alert(state)
        if alert is None:
            return self.view(
                StepState.SKIPPED, "No rotation alert: create one under Project > Alerts to be reminded to rotate"
            )
        now = f"Fires after {alert.threshold_days} days" + ("" if alert.enabled else " (the alert is OFF)")
        if inputs.alert_days is None:
            return self.view(StepState.TODO, now, "Keep the threshold or give another.")
        if alert.threshold_days == inputs.alert_days:
            return self.view(StepState.DONE, now)
        return self.view(StepState.TODO, f"Change from {alert.threshold_days} to {inputs.alert_days} days")

    def consequence(self, state: ProjectState, inputs: RotateInputs) -> Consequence | None:
        alert = rotation_alert(state)
        if alert is None or inputs.alert_days is None or alert.threshold_days == inputs.alert_days:
            return None
        text = (
            f"`{alert.event_type_name}` will fire **{inputs.alert_days}** days after the last rotation instead of "
            f"{alert.threshold_days}. Everything else about the alert (who is notified, how) stays as it is."
        )
        if inputs.alert_days > AUTOMATIC_ROTATION_DAYS and not automatic_rotation(state):
            text += (
                " Nothing rotates this key on its own (no AWS automatic rotation is known to be on): you will be "
                "reminded only after more than a year."
            )
        return Consequence("Change the rotation alert?", text, "Change the alert")

    def plan(self, state: ProjectState, inputs: RotateInputs) -> list[PlannedCall]:
        alert = rotation_alert(state)
        if alert is None or inputs.alert_days is None or alert.threshold_days == inputs.alert_days:
            return []
        return [
            atlas_call(
                "updateGroupAlertConfig",
                f"Rotation alert: fire after {inputs.alert_days} days",
                alert_body(alert, inputs.alert_days),
                group_id=state.project_id,
                config_id=alert.id,
            )
        ]

    async def apply(self, run: JourneyRun[RotateInputs], progress: Progress) -> None:
        days = run.inputs.alert_days
        if days is None:
            raise StepError(self.key, "No threshold chosen", "The alert needs a number of days.", "Give one.")
        wanted = f"{run.inputs.provider}_ENCRYPTION_KEY_NEEDS_ROTATION"
        configs = await run.client.list_alert_configs(run.project_id)  # re-read just before the PUT
        alert = next((c for c in configs if c.event_type_name == wanted), None)
        if alert is None:
            raise StepError(
                self.key,
                "The rotation alert is gone",
                f"The project has no {wanted} alert any more.",
                "Create one under Project > Alerts.",
            )
        if alert.threshold_days == days:
            progress(ProgressEvent(self.key, f"The alert fires after {days} days", 1.0))
            return
        seen = run.inputs.alert_seen
        if seen is not None and alert.threshold_days != seen:
            raise StepError(
                self.key,
                "The rotation alert changed since you looked",
                f"It fires after {alert.threshold_days} days now, not {seen}: someone changed it meanwhile. "
                "Nothing was sent.",
                "Look at the threshold again and save it if you still want to change it.",
            )
        body = alert_body(alert, days)
        what = f"set rotation alert {alert.id} to {days} days"
        try:
            await run.client.update_alert_config(run.project_id, alert.id, body)
        except AtlasError as err:
            run.record_change("ATLAS", what, inputs=body, error=err)
            raise
        run.record_change("ATLAS", what, inputs=body, result={"before": alert.threshold_days})
        progress(ProgressEvent(self.key, f"The alert now fires after {days} days", 1.0))
