"""Page 4: the KMS key and its region, with the role's KMS access policy."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Button, Checkbox, Input, OptionList
from textual.widgets.option_list import Option

from cmkwizard.aws.arns import key_arn, parse_key_ref, parse_role_ref
from cmkwizard.aws.errors import InputError
from cmkwizard.aws.policies import kms_access_policy
from cmkwizard.aws.regions import to_atlas_region, to_aws_region
from cmkwizard.aws.resources import KmsKey
from cmkwizard.journeys.aws_inputs import atlas_partition, check_region
from cmkwizard.journeys.aws_key import role_arn_for
from screens.onboard_aws.aws_panel import AwsPanel, aws_account
from screens.step_screen import StepScreen
from screens.widgets.error_panel import ErrorPanel
from screens.widgets.field import Field, ParsedBy
from screens.widgets.policy_viewer import PolicyViewer
from screens.widgets.ticks import TickBox


def key_option(key: KmsKey) -> Option:
    layout = "multi-Region" if key.multi_region else "single-Region"
    state = "enabled" if key.enabled else key.key_state
    details = f"{key.key_spec}, {state}, {layout}"
    return Option(Content.from_markup("$label  [$text-muted]$details[/]", label=key.label, details=details), id=key.arn)


def region_or_none(text: str) -> str | None:
    try:
        return to_atlas_region(text)
    except InputError:
        return None


def region_field(label: str, value: str, partition: str, hint: str) -> Field:
    """The key's region, in AWS or Atlas form, in a partition the Atlas deployment can use."""
    return Field(
        label,
        id="region",
        value=value,
        placeholder="us-east-1",
        hint=hint,
        validators=[ParsedBy(lambda text: check_region(text, partition))],
    )


def show_region(field: Field) -> str | None:
    """Note under the region field how Atlas and AWS spell it; the region (Atlas form) or None."""
    region = region_or_none(field.value)
    field.note(f"→ {region} for Atlas, {to_aws_region(region)} in AWS" if region else "")
    return region


class KeyScreen(StepScreen):
    PAGE_KEY = "key"
    APPLY_LABEL = "Check the key"

    @property
    def partition(self) -> str:
        """The AWS partition the Atlas deployment can use keys in."""
        return atlas_partition(self.flow.context.settings.base_url.value)

    def compose_page(self) -> ComposeResult:
        inputs = self.flow.inputs
        settings = self.flow.context.settings
        current = self.flow.state.encryption.aws_kms  # a project already configured offers its key
        region = inputs.region or current.region or (settings.aws_region.value if settings.aws_region else "")
        yield region_field("Key region", region, self.partition, "AWS form (us-east-1) or Atlas form (US_EAST_1).")
        yield Field(
            "KMS key",
            id="key",
            value=inputs.key_ref or current.customer_master_key_id or "",
            placeholder="key id, key ARN or alias/name",
            hint="A key in another AWS account needs its full key ARN.",
            validators=[ParsedBy(self._parse_key)],
        )
        yield AwsPanel(self.flow, self.flow.context.aws_account, region or None)
        with Horizontal(classes="actions"):
            yield Button(
                "List keys in this region", id="list-keys", compact=True, disabled=aws_account(self.flow) is None
            )
        yield OptionList(id="keys", classes="hidden")
        yield ErrorPanel(id="keys-error")
        yield TickBox(
            "Attach the KMS access policy to the role",
            value=inputs.attach_key_policy,
            id="attach-policy",
            disabled=aws_account(self.flow) is None,
        )
        yield PolicyViewer(
            {}, title="KMS access policy for the role", filename="atlas-kms-policy.json", id="kms-policy"
        )

    def on_mount(self) -> None:
        super().on_mount()
        self._refresh_derived()
        self.query_one("#region-input", Input).focus()

    def _parse_key(self, text: str) -> object:
        return parse_key_ref(text, region_or_none(self.query_one("#region", Field).value))

    @on(Input.Changed, "#region-input")
    @on(Input.Changed, "#key-input")
    def _changed(self) -> None:
        self._refresh_derived()

    def _refresh_derived(self) -> None:
        """Show the normalised region and the policy for the key as typed so far."""
        region = show_region(self.query_one("#region", Field))
        arn = self._key_arn(region)
        viewer = self.query_one("#kms-policy", PolicyViewer)
        viewer.display = arn is not None
        if arn is not None:
            viewer.show(kms_access_policy([arn]))

    def _key_arn(self, region: str | None) -> str | None:
        try:
            ref = parse_key_ref(self.query_one("#key", Field).value, region)
        except InputError:
            return None
        if ref.arn and not ref.is_alias:
            return ref.arn
        role_arn = role_arn_for(self.flow.state, self.flow.inputs)
        if ref.key_id and region and role_arn:
            return key_arn(region, parse_role_ref(role_arn).account_id, ref.key_id)
        return None

    @on(AwsPanel.Ready)
    def _aws_ready(self, event: AwsPanel.Ready) -> None:
        list_keys = self.query_one("#list-keys", Button)
        list_keys.disabled = False
        self.query_one("#attach-policy", Checkbox).disabled = False
        if event.focus_lost:
            list_keys.focus()

    @on(Button.Pressed, "#list-keys")
    def list_keys(self) -> None:
        region_field = self.query_one("#region", Field)
        if region_field.check():
            self._load_keys(to_aws_region(region_field.value))

    @work(exclusive=True, exit_on_error=False, group="list-keys")
    async def _load_keys(self, region: str) -> None:
        account = aws_account(self.flow)
        assert account is not None
        keys_list = self.query_one("#keys", OptionList)
        error = self.query_one("#keys-error", ErrorPanel)
        error.clear()
        try:
            keys = await account.list_keys(region)
        except Exception as err:  # explained on the page
            error.show(err)
            return
        if not keys:
            empty = Option(f"No customer managed keys in {region} that you may describe.", disabled=True)
            keys_list.set_options([empty])
        else:
            keys_list.set_options(key_option(k) for k in keys)
            keys_list.highlighted = 0  # focus moves to the list: enter chooses without an arrow key first
        keys_list.remove_class("hidden")
        # Focus once the list is laid out, so focusing scrolls it into view.
        self.call_after_refresh(keys_list.focus)

    @on(OptionList.OptionSelected, "#keys")
    def _key_chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.query_one("#key", Field).value = event.option.id
            self.query_one("#key-input", Input).focus()

    def collect_inputs(self) -> bool:
        region_field, key_field = self.query_one("#region", Field), self.query_one("#key", Field)
        if not (region_field.check() & key_field.check()):
            return False
        inputs = self.flow.inputs
        inputs.key_ref = None
        try:
            inputs.set_region(region_field.value, atlas_partition=self.partition)
            inputs.set_key(key_field.value)
        except InputError as err:
            key_field.show_error(err.message)
            return False
        inputs.attach_key_policy = self.query_one("#attach-policy", Checkbox).value
        return True
