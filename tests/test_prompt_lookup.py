"""Prompt-lookup drafts (llm/sampling.py): which tokens are guessed, and how many of them the sampler kept."""

import numpy as np

from autogpt.llm.sampling import PromptLookup


def tokens(*values: int) -> np.ndarray:
    return np.array(values, dtype=np.intc)


def test_the_draft_follows_the_latest_of_the_longest_earlier_matches():
    lookup = PromptLookup(max_tokens=3, min_match=3)
    # "2 3 4" occurs twice before the end; only the second is preceded by 1, as the end is: it wins
    assert lookup.draft(tokens(2, 3, 4, 70, 71, 1, 2, 3, 4, 80, 81, 82, 83, 1, 2, 3, 4)).tolist() == [80, 81, 82]
    # two equally long matches: the latest wins
    assert lookup.draft(tokens(5, 6, 7, 10, 11, 5, 6, 7, 20, 21, 5, 6, 7)).tolist() == [20, 21, 5]


def test_no_draft_without_a_long_enough_earlier_match():
    lookup = PromptLookup(max_tokens=3, min_match=3)
    assert lookup.draft(tokens(1, 2, 9, 1, 2)).size == 0  # only two tokens match
    assert lookup.draft(tokens(1, 2, 3, 4, 5, 6)).size == 0  # nothing repeats
    assert lookup.draft(tokens(1, 2)).size == 0
    assert PromptLookup(max_tokens=0).draft(tokens(1, 2, 3, 4, 1, 2, 3)).size == 0


def test_a_draft_stops_at_max_tokens_and_at_the_end_of_what_is_known():
    assert PromptLookup(max_tokens=2, min_match=3).draft(tokens(1, 2, 3, 4, 5, 6, 1, 2, 3)).tolist() == [4, 5]
    assert PromptLookup(max_tokens=8, min_match=3).draft(tokens(1, 2, 3, 4, 1, 2, 3)).tolist() == [4, 1, 2, 3]


def test_kept_draft_tokens_are_counted_at_the_next_call():
    lookup = PromptLookup(max_tokens=3, min_match=3)
    context = [1, 2, 3, 4, 5, 6, 9, 1, 2, 3]
    assert lookup(tokens(*context)).tolist() == [4, 5, 6]
    lookup(tokens(*context, 4, 5, 7))  # the sampler kept 4 and 5, then chose 7
    assert (lookup.drafted, lookup.accepted) == (3, 2)
