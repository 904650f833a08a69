"""A labelled input that shows what is wrong with its value underneath, before anything is sent."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Label, Static


class ParsedBy(Validator):
    """Validates with a core parser: a `ValueError` (the core's `InputError`) is the failure message.

    `subject` names the value for parsers whose messages are fragments ("it is empty").
    """

    def __init__(self, parse: Callable[[str], object], subject: str = "") -> None:
        super().__init__()
        self._parse = parse
        self._subject = subject

    def validate(self, value: str) -> ValidationResult:
        try:
            self._parse(value)
        except ValueError as err:
            message = getattr(err, "message", None) or str(err)
            if self._subject:
                message = f"{self._subject}: {message}."
            return self.failure(message, value)
        return self.success()


class FieldError(Static):
    """The validation message. It appears as the operator tabs away, after Textual has scrolled the newly
    focused widget into view, and pushes that widget down: once laid out, it brings the widget back. When
    its own field has the focus (the field was refused), the whole field comes into view, message included."""

    def on_resize(self) -> None:
        focused = self.screen.focused
        if focused is None:
            return
        field = self.parent
        if field is not None and focused.parent is field and self.size.height:
            field.scroll_visible(animate=False)
        else:
            focused.scroll_visible(animate=False)


class Field(Vertical):
    """Label, input, an optional hint and the validation message.

    Validation runs when the operator leaves the input or presses enter; a message disappears as soon
    as the value becomes valid. `check()` validates on demand before a form is submitted.
    """

    def __init__(
        self,
        label: str,
        *,
        id: str,
        value: str = "",
        placeholder: str = "",
        hint: str = "",
        validators: Iterable[Validator] = (),
        password: bool = False,
        optional: bool = False,
    ) -> None:
        """An `optional` field accepts an empty value: tabbing past it says nothing."""
        super().__init__(id=id, classes="field")
        self._label = label
        self._hint = hint
        self.input = Input(
            value,
            placeholder=placeholder,
            validators=list(validators),
            validate_on=["blur", "submitted"],
            password=password,
            valid_empty=optional,
            id=f"{id}-input",
        )

    def compose(self) -> ComposeResult:
        yield Label(self._label, classes="field-label")
        yield self.input
        yield Static("", classes="field-note", markup=False)
        if self._hint:
            yield Static(self._hint, classes="field-hint", markup=False)
        yield FieldError("", classes="field-error", markup=False)

    @property
    def value(self) -> str:
        return self.input.value.strip()

    @value.setter
    def value(self, value: str) -> None:
        self.input.value = value

    def check(self) -> bool:
        """Validate now and show the result; True when the value is acceptable."""
        result = self.input.validate(self.input.value)
        self._show(result)
        return result is None or result.is_valid

    def note(self, text: str) -> None:
        """A line under the input about the value as typed (for example its normalised form)."""
        line = self.query_one(".field-note", Static)
        line.update(text)
        line.display = bool(text)

    def show_error(self, message: str) -> None:
        error = self.query_one(".field-error", Static)
        error.update(message)
        self.set_class(bool(message), "-invalid")

    @on(Input.Blurred)
    @on(Input.Submitted)
    def _validated(self, event: Input.Blurred | Input.Submitted) -> None:
        self._show(event.validation_result)

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        if self.has_class("-invalid"):
            result = self.input.validate(event.value)
            if result is None or result.is_valid:
                self.show_error("")

    def _show(self, result: ValidationResult | None) -> None:
        if result is None or result.is_valid:
            self.show_error("")
        else:
            self.show_error(" ".join(result.failure_descriptions))
