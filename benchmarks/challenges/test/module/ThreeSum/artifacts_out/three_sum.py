from itertools import combinations


def three_sum(nums, target):
    """Every distinct triplet of values (from three different positions) that adds up to target."""
    found = {tuple(sorted(triple)) for triple in combinations(nums, 3) if sum(triple) == target}
    return [list(triple) for triple in sorted(found)]
