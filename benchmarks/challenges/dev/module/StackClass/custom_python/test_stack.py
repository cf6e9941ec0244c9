import pytest
from stack import Stack


def test_new_stack_is_empty():
    s = Stack()
    assert s.is_empty()
    assert len(s) == 0


def test_push_and_pop_are_last_in_first_out():
    s = Stack()
    s.push(1)
    s.push("two")
    s.push(3.0)
    assert len(s) == 3
    assert not s.is_empty()
    assert s.pop() == 3.0
    assert s.pop() == "two"
    assert s.pop() == 1
    assert s.is_empty()


def test_peek_returns_top_without_removing_it():
    s = Stack()
    s.push("a")
    s.push("b")
    assert s.peek() == "b"
    assert s.peek() == "b"
    assert len(s) == 2


def test_pop_on_empty_stack_raises_index_error():
    with pytest.raises(IndexError):
        Stack().pop()


def test_peek_on_empty_stack_raises_index_error():
    with pytest.raises(IndexError):
        Stack().peek()


def test_none_is_a_value_like_any_other():
    s = Stack()
    s.push(None)
    assert not s.is_empty()
    assert s.pop() is None
    assert s.is_empty()


def test_instances_do_not_share_items():
    a, b = Stack(), Stack()
    a.push(1)
    assert b.is_empty()
    assert len(a) == 1
