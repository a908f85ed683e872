"""Record classes: the declarative style of ``dataclasses`` without its start-up cost.

Why not ``dataclasses``: on Python 3.11 every ``@dataclass`` compiles five or six methods
from source when its module is imported (about 1 ms a class here), and importing
``dataclasses`` itself pulls in ``inspect``, ``ast`` and ``dis``. lorachecks defines some
forty record types, so a one-file pre-commit run spent a third of its time building
classes it mostly never instantiates. ``record`` builds a class in microseconds: equality,
hashing and ``repr`` are shared functions that read the field list, and ``__init__`` (the
one method whose speed matters) is compiled once a class has been instantiated a few
times.

Supported, with the meaning ``dataclasses`` gives them: annotated fields in order, plain
defaults and ``field(default_factory=...)``, ``frozen`` (assignment raises
``FrozenInstanceError``; frozen records hash by value, mutable ones are unhashable),
``slots``, pickling, ``replace``, ``fields`` and ``asdict``. Not supported: inheritance between
records, ``ClassVar`` fields, ``InitVar``, ordering, ``__post_init__``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast, overload

T = TypeVar("T")

if sys.version_info >= (3, 11):
    from typing import dataclass_transform
elif TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:  # pragma: no cover - Python 3.10 at run time: typing_extensions would import inspect

    def dataclass_transform(**_: Any) -> Callable[[T], T]:
        """Only type checkers read this marker."""
        return lambda decorated: decorated


_FIELDS = "__record_fields__"
_MISSING = object()  # "no argument given" for fields with a default factory
_GENERIC_CALLS = 16  # instances built before a class gets its compiled __init__


class FrozenInstanceError(AttributeError):
    """Assignment to a field of a frozen record."""


class _Factory:
    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


def field(*, default_factory: Callable[[], T]) -> T:
    """A field whose default is built per instance (a fresh list, dict or set)."""
    return cast(T, _Factory(default_factory))


@overload
def record(cls: type[T], /) -> type[T]: ...


@overload
def record(*, frozen: bool = False, slots: bool = False) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(field_specifiers=(field,))
def record(cls: type[T] | None = None, /, *, frozen: bool = False, slots: bool = False) -> Any:
    """Turn a class with annotated fields into a record (see the module docstring)."""

    def wrap(cls: type[T]) -> type[T]:
        return _build(cls, frozen=frozen, slots=slots)

    return wrap if cls is None else wrap(cls)


def fields(obj: object) -> tuple[str, ...]:
    """The field names of a record class or instance, in declaration order."""
    names: tuple[str, ...] = getattr(obj, _FIELDS)
    return names


def replace(obj: T, /, **changes: Any) -> T:
    """A copy of the record ``obj`` with some fields changed."""
    values = {name: getattr(obj, name) for name in fields(obj)}
    values.update(changes)
    return type(obj)(**values)


def asdict(obj: Any) -> Any:
    """Records (also inside lists, tuples and dicts) as plain dicts, recursively."""
    if hasattr(type(obj), _FIELDS):
        return {name: asdict(getattr(obj, name)) for name in fields(obj)}
    if isinstance(obj, (list, tuple)):
        return type(obj)(asdict(item) for item in obj)
    if isinstance(obj, dict):
        return {asdict(key): asdict(value) for key, value in obj.items()}
    return obj


def _build(cls: type[T], *, frozen: bool, slots: bool) -> type[T]:
    names = tuple(cls.__annotations__)  # this class's own (Python >= 3.10)
    if any(hasattr(base, _FIELDS) for base in cls.__mro__[1:]):
        raise TypeError(f"{cls.__name__}: records do not inherit from records")
    if any("ClassVar" in str(cls.__annotations__[name]) for name in names):
        raise TypeError(f"{cls.__name__}: ClassVar annotations are not supported in records")
    defaults: dict[str, Any] = {}
    for name in names:
        if name in cls.__dict__:
            defaults[name] = cls.__dict__[name]
        elif defaults:
            raise TypeError(f"{cls.__name__}: field {name!r} without a default follows one with a default")
    namespace = {key: value for key, value in cls.__dict__.items() if key not in ("__dict__", "__weakref__")}
    if slots:
        for name in names:
            namespace.pop(name, None)  # a class attribute would shadow the slot
        namespace["__slots__"] = names
    else:
        for name, default in defaults.items():
            if isinstance(default, _Factory):
                del namespace[name]
    namespace[_FIELDS] = names
    namespace["__init__"] = _lazy_init(names, defaults, frozen)
    namespace["__repr__"] = _repr
    namespace["__eq__"] = _eq
    namespace["__hash__"] = _hash if frozen else None
    namespace["__reduce__"] = _reduce  # pickles (process pool) through __init__, frozen or not
    if frozen:
        namespace["__setattr__"] = _refuse_assignment
        namespace["__delattr__"] = _refuse_assignment
    built: type[T] = type(cls.__name__, cls.__bases__, namespace)
    return built


def _lazy_init(names: tuple[str, ...], defaults: dict[str, Any], frozen: bool) -> Callable[..., None]:
    """An ``__init__`` that binds arguments generically for the first few instances, then
    compiles the specialised one and puts it on the class (compiling costs ~0.2 ms, which a
    one-file run would pay for twenty classes it instantiates a handful of times)."""
    calls = 0

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        nonlocal calls
        calls += 1
        if calls <= _GENERIC_CALLS:
            _bind(self, names, defaults, args, kwargs)
            return
        init = _compile_init(type(self).__qualname__, names, defaults, frozen)
        type(self).__init__ = init
        init(self, *args, **kwargs)

    return __init__


def _bind(self: Any, names: tuple[str, ...], defaults: dict[str, Any], args: Any, kwargs: dict[str, Any]) -> None:
    """Python's own argument binding for ``__init__(self, *names)``, errors included."""
    where = f"{type(self).__qualname__}.__init__()"
    if len(args) > len(names):
        raise TypeError(f"{where} takes {len(names) + 1} positional arguments but {len(args) + 1} were given")
    values = dict(zip(names, args, strict=False))  # the rest may come by keyword
    for name, value in kwargs.items():
        if name not in names:
            raise TypeError(f"{where} got an unexpected keyword argument {name!r}")
        if name in values:
            raise TypeError(f"{where} got multiple values for argument {name!r}")
        values[name] = value
    for name in names:
        if name in values:
            value = values[name]
        elif name in defaults:
            default = defaults[name]
            value = default.make() if isinstance(default, _Factory) else default
        else:
            raise TypeError(f"{where} missing required argument: {name!r}")
        object.__setattr__(self, name, value)


def _compile_init(qualname: str, names: tuple[str, ...], defaults: dict[str, Any], frozen: bool) -> Callable[..., None]:
    scope: dict[str, Any] = {"_set": object.__setattr__, "_missing": _MISSING}
    params, body = ["self"], []
    for name in names:
        value = name
        if name in defaults:
            default = defaults[name]
            if isinstance(default, _Factory):
                scope[f"_make_{name}"] = default.make
                params.append(f"{name}=_missing")
                value = f"_make_{name}() if {name} is _missing else {name}"
            else:
                scope[f"_default_{name}"] = default
                params.append(f"{name}=_default_{name}")
        else:
            params.append(name)
        body.append(f"    _set(self, {name!r}, {value})" if frozen else f"    self.{name} = {value}")
    source = f"def __init__({', '.join(params)}):\n" + ("\n".join(body) or "    pass") + "\n"
    exec(compile(source, f"<record {qualname}>", "exec"), scope)
    init: Callable[..., None] = scope["__init__"]
    init.__qualname__ = f"{qualname}.__init__"
    return init


def _values(obj: Any) -> tuple[Any, ...]:
    return tuple(getattr(obj, name) for name in getattr(obj, _FIELDS))


def _repr(self: Any) -> str:
    inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in fields(self))
    return f"{type(self).__qualname__}({inner})"


def _eq(self: Any, other: object) -> object:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return _values(self) == _values(other)


def _hash(self: Any) -> int:
    return hash(_values(self))


def _reduce(self: Any) -> tuple[type[Any], tuple[Any, ...]]:
    return type(self), _values(self)


def _refuse_assignment(self: Any, name: str, *_: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")
