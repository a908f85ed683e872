"""lorachecks.core.records behaves like the dataclasses it replaces on the lint path."""

from __future__ import annotations

import copy
import pickle
from typing import ClassVar

import pytest

from lorachecks.core.records import _GENERIC_CALLS, FrozenInstanceError, asdict, field, fields, record, replace


@record(frozen=True, slots=True)
class Point:
    x: int
    y: int = 0
    tags: tuple[str, ...] = ()


@record
class Bag:
    name: str
    items: list[int] = field(default_factory=list)
    meta: dict[str, Point] = field(default_factory=dict)


def test_init_positional_keyword_and_defaults() -> None:
    # Run past the generic calls so the compiled __init__ is checked too, with the same results.
    for _ in range(3 * _GENERIC_CALLS):
        assert (Point(1).x, Point(1).y, Point(1).tags) == (1, 0, ())
        assert Point(1, 2) == Point(x=1, y=2) == Point(y=2, x=1)
        with pytest.raises(TypeError):
            Point()  # type: ignore[call-arg]
        with pytest.raises(TypeError):
            Point(1, 2, (), 4)  # type: ignore[call-arg]
        with pytest.raises(TypeError):
            Point(1, z=3)  # type: ignore[call-arg]
        with pytest.raises(TypeError):
            Point(1, x=1)  # type: ignore[misc]
    assert Point.__init__.__qualname__ == "Point.__init__"  # the compiled one


def test_default_factory_gives_each_instance_its_own_value() -> None:
    for _ in range(3 * _GENERIC_CALLS):
        first, second = Bag("a"), Bag("b")
        first.items.append(1)
        assert second.items == []
        assert Bag("c", [5]).items == [5]


def test_equality_hash_and_repr() -> None:
    assert Point(1, 2) != Point(1, 3)
    assert Point(1, 2) != (1, 2, ())
    assert len({Point(1, 2), Point(1, 2), Point(2, 2)}) == 2
    assert repr(Point(1, tags=("a",))) == "Point(x=1, y=0, tags=('a',))"
    assert Bag("a") == Bag("a")
    with pytest.raises(TypeError):
        hash(Bag("a"))  # mutable records are unhashable, as with dataclasses


def test_frozen_records_refuse_assignment_and_slots_have_no_dict() -> None:
    point = Point(1)
    with pytest.raises(FrozenInstanceError):
        point.x = 2  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        del point.x  # type: ignore[misc]
    assert not hasattr(point, "__dict__")
    bag = Bag("a")
    bag.name = "b"
    assert bag.name == "b"


def test_replace_fields_asdict() -> None:
    assert replace(Point(1, 2), y=5) == Point(1, 5)
    assert fields(Point) == fields(Point(1)) == ("x", "y", "tags")
    assert asdict(Bag("a", [1], {"p": Point(1)})) == {
        "name": "a",
        "items": [1],
        "meta": {"p": {"x": 1, "y": 0, "tags": ()}},
    }
    with pytest.raises(TypeError):
        replace(Point(1), z=1)


def test_pickle_and_copy_round_trip() -> None:
    for value in (Point(1, 2, ("a",)), Bag("a", [1, 2])):
        assert pickle.loads(pickle.dumps(value)) == value
        assert copy.deepcopy(value) == value


def test_field_without_default_after_one_with_default_is_refused() -> None:
    with pytest.raises(TypeError, match="without a default"):

        @record
        class Bad:
            a: int = 0
            b: int


def test_what_records_do_not_support_is_refused() -> None:
    with pytest.raises(TypeError, match="inherit"):

        @record
        class Child(Point):
            w: int = 0

    with pytest.raises(TypeError, match="ClassVar"):

        @record
        class Counted:
            count: ClassVar[int] = 0
