"""Suggested merges: average-linkage agglomerative clustering above a threshold.

Two clusters join when the mean similarity over all their cross pairs is at least the threshold,
best pair first. Average linkage, unlike single linkage, does not let a chain of look-alikes
(A~B, B~C, C~D) snowball into one merge: every member must be close to the group as a whole.
Clusters can only form inside connected components of the graph of pairs above the threshold,
so the work is done per component, which keeps it small.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

Pair = tuple[int, int]


def cluster_indices(
    matrix: Sequence[Sequence[float]], threshold: float, apart: Collection[Pair] = ()
) -> list[list[int]]:
    """Clusters of two or more indices, each sorted; every index is in at most one cluster.

    ``apart`` holds index pairs ``(i, j)``, ``i < j``, that must never share a cluster (a
    facilitator dismissed a suggestion holding both): two clusters holding such a pair
    between them do not join, however close they are.
    """
    clusters: list[list[int]] = []
    for component in _components(matrix, threshold):
        if len(component) > 1:
            clusters.extend(_agglomerate(matrix, component, threshold, frozenset(apart)))
    return sorted(clusters)


def mean_similarity(matrix: Sequence[Sequence[float]], members: Sequence[int]) -> float:
    pairs = [matrix[a][b] for k, a in enumerate(members) for b in members[k + 1 :]]
    return sum(pairs) / len(pairs) if pairs else 0.0


def _components(matrix: Sequence[Sequence[float]], threshold: float) -> list[list[int]]:
    n = len(matrix)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n):
        for j in range(i + 1, n):
            if matrix[i][j] >= threshold:
                ri, rj = root(i), root(j)
                if ri != rj:
                    parent[max(ri, rj)] = min(ri, rj)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def _agglomerate(
    matrix: Sequence[Sequence[float]], members: list[int], threshold: float, apart: frozenset[Pair]
) -> list[list[int]]:
    clusters = [[m] for m in members]
    # linkage[a][b]: mean similarity between clusters a and b (Lance-Williams update keeps it exact)
    linkage = [[matrix[a][b] for b in members] for a in members]
    alive = list(range(len(clusters)))
    while True:
        best: tuple[float, int, int] | None = None
        for x, a in enumerate(alive):
            for b in alive[x + 1 :]:
                if (
                    linkage[a][b] >= threshold
                    and (best is None or linkage[a][b] > best[0])
                    and not (apart and _kept_apart(clusters[a], clusters[b], apart))
                ):
                    best = (linkage[a][b], a, b)
        if best is None:
            break
        _, a, b = best
        size_a, size_b = len(clusters[a]), len(clusters[b])
        for c in alive:
            if c not in (a, b):
                merged = (size_a * linkage[a][c] + size_b * linkage[b][c]) / (size_a + size_b)
                linkage[a][c] = linkage[c][a] = merged
        clusters[a] = sorted(clusters[a] + clusters[b])
        alive.remove(b)
    return [clusters[a] for a in alive if len(clusters[a]) > 1]


def _kept_apart(one: list[int], other: list[int], apart: frozenset[Pair]) -> bool:
    return any((min(i, j), max(i, j)) in apart for i in one for j in other)
