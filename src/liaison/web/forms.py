"""What a form says back: each problem with the field it is about, for the error summary at the
top of the page (each a link to its field) and the message beside the field itself."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Problems:
    """Problems of one posted form, in the order of the form's fields. Messages are already in
    the reader's language."""

    items: list[tuple[str, str]] = field(default_factory=list)

    def add(self, name: str, message: str) -> None:
        if self.of(name) is None:
            self.items.append((name, message))

    def of(self, name: str) -> str | None:
        """The message about field `name`, if any (shown beside it)."""
        for item, message in self.items:
            if item == name:
                return message
        return None

    def __bool__(self) -> bool:
        return bool(self.items)


def choice(value: str, allowed: dict[str, str] | list[str] | tuple[str, ...]) -> str | None:
    """`value` if it is one of the choices offered, else None (a tampered form)."""
    return value if value in allowed else None
