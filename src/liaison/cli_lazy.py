"""Command groups whose commands are imported the first time each is looked up: to run it, or
to list it in --help. A command then pays for its own module only, which is most of the
start-up time of a command line tool (`liaison request list` must answer in under a second)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, MutableMapping

import typer
from typer._click import Command  # typer's own copy of click, which its groups hold


class LazyCommands(MutableMapping[str, Command]):
    """A group's commands: those already built, and the others by the function that builds
    each (importing its module)."""

    def __init__(
        self, commands: MutableMapping[str, Command], loaders: Mapping[str, Callable[[], Command]]
    ) -> None:
        self._loaded = dict(commands)
        self._loaders = {name: load for name, load in loaders.items() if name not in self._loaded}

    def __getitem__(self, name: str) -> Command:
        if name not in self._loaded:
            command = self._loaders[name]()  # KeyError: no such command, as a dict says it
            command.name = name
            self._loaded[name] = command
        return self._loaded[name]

    def __setitem__(self, name: str, command: Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        self._loaded.pop(name, None)
        self._loaders.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        # A snapshot: a help page builds commands while it walks them.
        yield from [*self._loaded, *(name for name in self._loaders if name not in self._loaded)]

    def __len__(self) -> int:
        return len(self._loaded) + sum(name not in self._loaded for name in self._loaders)

    def __contains__(self, name: object) -> bool:
        return name in self._loaded or name in self._loaders


def registered(app: typer.Typer, name: str) -> Command:
    """The command `name` that a module has registered on `app` (with `@app.command(name)`),
    built as typer builds the commands of a group."""
    for info in app.registered_commands:
        if info.name == name:
            return typer.main.get_command_from_info(
                info,
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
            )
    raise LookupError(f"no command {name!r} is registered")


def single(name: str, callback: Callable[..., object]) -> Command:
    """A command from its function alone, as `app.command(name)(callback)` would make it."""
    holder = typer.Typer()
    holder.command(name)(callback)
    return registered(holder, name)
