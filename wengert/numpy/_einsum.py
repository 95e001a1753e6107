"""einsum, composed from dot_general by contracting operands left to right.

Each operand first loses repeated labels (take the diagonal) and labels no one
else needs (sum them out); then each pairwise contraction is one dot_general
whose batch labels are those both operands share and something later needs."""
import string


from . import _namespace as wnp


def _parse(subscripts, shapes):
    subscripts = subscripts.replace(" ", "")
    lhs, arrow, out = subscripts.partition("->")
    ins = lhs.split(",")
    if len(ins) != len(shapes):
        raise ValueError(f"einsum: {len(ins)} operand subscripts for {len(shapes)} operands")
    spare = iter(c for c in string.ascii_uppercase + string.ascii_lowercase if c not in subscripts)
    ell_nd = max([len(s) - (len(i) - 3) for i, s in zip(ins, shapes) if "..." in i] or [0])
    ell = "".join(next(spare) for _ in range(ell_nd))
    ins = [i.replace("...", ell[ell_nd - (len(s) - (len(i) - 3)):]) if "..." in i else i
           for i, s in zip(ins, shapes)]
    if arrow:
        out = out.replace("...", ell)
    else:
        counts = {c: "".join(ins).count(c) for c in "".join(ins)}
        out = ell + "".join(sorted(c for c, k in counts.items() if k == 1 and c not in ell))
    missing = [c for c in out if c not in "".join(ins)]
    if missing:
        raise ValueError(f"einsum: output subscript {''.join(missing)!r} does not appear in the "
                         f"input subscripts {','.join(ins)!r}")
    for i, s in zip(ins, shapes):
        if len(i) != len(s):
            raise ValueError(f"einsum: subscripts {i!r} do not match an operand of shape {s}")
    return ins, out


def _dedupe(x, sub):
    """Take diagonals for labels repeated within one operand."""
    while len(set(sub)) != len(sub):
        c = next(c for c in sub if sub.count(c) > 1)
        i, j = sub.index(c), sub.index(c, sub.index(c) + 1)
        x = wnp.diagonal(x, 0, i, j)
        sub = "".join(ch for k, ch in enumerate(sub) if k not in (i, j)) + c
    return x, sub


def _sum_out(x, sub, keep):
    axes = tuple(k for k, c in enumerate(sub) if c not in keep)
    if axes:
        x = wnp.sum(x, axis=axes)
        sub = "".join(c for c in sub if c in keep)
    return x, sub


def einsum(subscripts, *operands):
    """Einstein summation (explicit or implicit output, ellipses, repeated labels).
    Built from dot_general, so it is differentiable in every mode.

    Example:
      >>> import wengert.numpy as wnp, numpy as np
      >>> wnp.einsum("ij,jk->ik", np.eye(2), np.ones((2, 3))).shape
      (2, 3)
    """
    ops = [wnp._c(x) for x in operands]
    ins, out = _parse(subscripts, [wnp._shape(x) for x in ops])
    sizes = {}
    for sub, x in zip(ins, ops):
        for c, n in zip(sub, wnp._shape(x)):
            sizes[c] = n if sizes.get(c, 1) == 1 else sizes[c]
            if n not in (1, sizes[c]):
                raise ValueError(f"einsum: label {c!r} has sizes {sizes[c]} and {n}")
    terms = []
    for k, (sub, x) in enumerate(zip(ins, ops)):
        x = wnp.broadcast_to(x, tuple(sizes[c] for c in sub))
        x, sub = _dedupe(x, sub)
        others = set(out).union(*[set(s) for j, s in enumerate(ins) if j != k])
        terms.append(_sum_out(x, sub, others))
    x, sub = terms[0]
    for k in range(1, len(terms)):
        y, ysub = terms[k]
        later = set(out).union(*[set(s) for _, s in terms[k + 1:]])
        shared = [c for c in sub if c in ysub]
        batch = [c for c in shared if c in later]
        contract = [c for c in shared if c not in later]
        dims = ((tuple(sub.index(c) for c in contract), tuple(ysub.index(c) for c in contract)),
                (tuple(sub.index(c) for c in batch), tuple(ysub.index(c) for c in batch)))
        from ..ops.linalg import dot_general_p
        x = dot_general_p.bind(x, y, dims=dims)
        sub = "".join(batch) + "".join(c for c in sub if c not in shared) + \
            "".join(c for c in ysub if c not in shared)
    x, sub = _sum_out(x, sub, set(out))
    return wnp.transpose(x, [sub.index(c) for c in out]) if sub != out else x
