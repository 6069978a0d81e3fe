"""The Kubernetes CEL libraries that ValidatingAdmissionPolicies use: quantity, URL, IP/CIDR, lists and regex.

cel-expr-python cannot carry opaque Python values, so a quantity, URL, IP or CIDR is a one-entry map
(``{"@quantity": "1073741824"}``) holding its canonical text: equal values compare equal with ``==``,
and the member functions below are declared on that map type.  Every function is a pure computation
on its arguments: no file, network or process access.  Regular expressions are RE2 (google-re2), linear
in the text whatever the pattern, as in Kubernetes (Go's regexp is RE2 too).
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from itertools import pairwise
from typing import Any
from urllib.parse import parse_qs, urlsplit

QUANTITY, URL, IP, CIDR = "@quantity", "@url", "@ip", "@cidr"
_QUANTITY = re.compile(
    r"^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?[0-9]+))?$"
)
_SUFFIXES = {
    "Ki": Decimal(2**10),
    "Mi": Decimal(2**20),
    "Gi": Decimal(2**30),
    "Ti": Decimal(2**40),
    "Pi": Decimal(2**50),
    "Ei": Decimal(2**60),
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "k": Decimal("1e3"),
    "M": Decimal("1e6"),
    "G": Decimal("1e9"),
    "T": Decimal("1e12"),
    "P": Decimal("1e15"),
    "E": Decimal("1e18"),
}


class LibraryError(ValueError):
    """A library function met an argument it cannot handle (e.g. ``quantity('ten')``)."""


def _quantity_value(text: str) -> Decimal:
    if len(text) > 64:
        raise LibraryError(f"invalid quantity {text[:64]!r}... ({len(text)} characters)")
    return _parse_quantity(text)


@lru_cache(maxsize=4096)  # the same few quantities recur (limits, and the constants rules compare with)
def _parse_quantity(text: str) -> Decimal:
    match = _QUANTITY.match(text.strip())
    if match is None:
        raise LibraryError(f"invalid quantity {text!r}")
    number, suffix, exponent = match.groups()
    try:
        value = Decimal(number)
        if suffix:
            value *= _SUFFIXES[suffix]
        elif exponent:
            if abs(int(exponent)) > 100:
                raise LibraryError(f"invalid quantity {text!r}")
            value = value.scaleb(int(exponent))
    except InvalidOperation as error:
        raise LibraryError(f"invalid quantity {text!r}") from error
    return value


def _q(value: Decimal) -> dict[str, str]:
    normal = value.normalize()
    return {QUANTITY: format(normal, "f") if normal == normal.to_integral() else str(normal)}


def _qv(quantity: Any) -> Decimal:
    text = _field(quantity, QUANTITY)
    return _decimal(text) if len(text) <= 64 else Decimal(text)


@lru_cache(maxsize=4096)
def _decimal(text: str) -> Decimal:
    return Decimal(text)


def _field(value: Any, key: str) -> str:
    if not isinstance(value, dict) or key not in value:
        raise LibraryError(f"expected a {key[1:]} value")
    return str(value[key])


def _is(parse: Callable[[str], Any]) -> Callable[[str], bool]:
    def check(text: str) -> bool:
        try:
            parse(text)
        except (LibraryError, ValueError):
            return False
        return True

    return check


def _url(text: str) -> dict[str, str]:
    parts = urlsplit(text)
    if not parts.scheme or not (parts.netloc or parts.path.startswith("/")):
        raise LibraryError(f"invalid URL {text!r}")
    return {URL: text}


def _ip(text: str) -> dict[str, str]:
    if "/" in text or "%" in text:
        raise LibraryError(f"invalid IP address {text!r}")
    try:
        return {IP: str(ipaddress.ip_address(text))}
    except ValueError as error:
        raise LibraryError(f"invalid IP address {text!r}") from error


def _cidr(text: str) -> dict[str, str]:
    try:
        return {CIDR: str(ipaddress.ip_interface(text)) if "/" in text else _bad_cidr(text)}
    except ValueError as error:
        raise LibraryError(f"invalid CIDR {text!r}") from error


def _bad_cidr(text: str) -> str:
    raise LibraryError(f"invalid CIDR {text!r} (no prefix length)")


def _address(value: Any) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    text = value if isinstance(value, str) else _field(value, IP)
    return ipaddress.ip_address(text)


def _network(value: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    text = value if isinstance(value, str) else _field(value, CIDR)
    return ipaddress.ip_interface(text).network


def _compare(a: Any, b: Any) -> int:
    x, y = _qv(a), _qv(b)
    return (x > y) - (x < y)


def _sum(items: list[Any]) -> Any:
    if not items:
        return 0
    if all(isinstance(i, bool) for i in items) or not all(isinstance(i, (int, float)) for i in items):
        raise LibraryError("sum() needs a list of numbers")
    return sum(items)


def _extreme(items: list[Any], pick: Callable[..., Any]) -> Any:
    if not items:
        raise LibraryError("min()/max() of an empty list")
    try:
        return pick(items)
    except TypeError as error:
        raise LibraryError("min()/max() of values that do not compare") from error


def _is_sorted(items: list[Any]) -> bool:
    try:
        return all(a <= b for a, b in pairwise(items))
    except TypeError as error:
        raise LibraryError("isSorted() of values that do not compare") from error


def _cel_equal(a: Any, b: Any) -> bool:
    """CEL equality on plain values: a bool is never a number, numbers compare across int and double."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_cel_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_cel_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return False
    return bool(a == b)


def _index_of(items: list[Any], value: Any) -> int:
    return next((i for i, item in enumerate(items) if _cel_equal(item, value)), -1)


def _last_index_of(items: list[Any], value: Any) -> int:
    return next((i for i in range(len(items) - 1, -1, -1) if _cel_equal(items[i], value)), -1)


@lru_cache(maxsize=256)
def _regex(pattern: str) -> Any:
    import re2  # type: ignore[import-untyped]

    options = re2.Options()
    options.log_errors = False
    try:
        return re2.compile(pattern, options)
    except re2.error as error:
        message = error.args[0].decode() if error.args and isinstance(error.args[0], bytes) else str(error)
        raise LibraryError(f"invalid regular expression {pattern!r}: {message}") from None


def _find(text: str, pattern: str) -> str:
    """The first match of ``pattern`` in ``text``, or "" (Kubernetes' ``find``)."""
    found = _regex(pattern).search(text)
    return "" if found is None else str(found.group(0))


def _find_all(text: str, pattern: str, limit: int = -1) -> list[str]:
    """Successive non-overlapping matches, at most ``limit`` (all when negative), as Go's ``FindAllString``
    gives them: an empty match right after a previous match is skipped."""
    compiled, out = _regex(pattern), list[str]()
    position, previous_end = 0, -1
    while (limit < 0 or len(out) < limit) and position <= len(text):
        found = compiled.search(text, position)
        if found is None:
            break
        start, end = found.span()
        accept = True
        if end == start:  # an empty match: step over one character
            accept = start != previous_end
            position = end + 1
        else:
            position = end
        previous_end = end
        if accept:
            out.append(str(found.group(0)))
    return out


def _port(url: Any) -> str:
    port = urlsplit(_field(url, URL)).port
    return "" if port is None else str(port)


def _as_integer(q: Any) -> int:
    value = _qv(q)
    if value != value.to_integral() or abs(value) >= 2**63:
        raise LibraryError("quantity is not an integer in int64 range")
    return int(value)


# name -> [(overload id, parameter types, return type, member?, implementation)]; types are names
# resolved by ``declarations``: Q, U, I, C (the map types above), s, i, d, b, y (dyn), l (list of dyn), L (list of
# string), m (map of dyn).
FUNCTIONS: dict[str, list[tuple[str, tuple[str, ...], str, bool, Callable[..., Any]]]] = {
    "quantity": [("k8s_quantity", ("s",), "Q", False, lambda s: _q(_quantity_value(s)))],
    "isQuantity": [("k8s_is_quantity", ("s",), "b", False, _is(_quantity_value))],
    "isGreaterThan": [("k8s_q_gt", ("Q", "Q"), "b", True, lambda a, b: _compare(a, b) > 0)],
    "isLessThan": [("k8s_q_lt", ("Q", "Q"), "b", True, lambda a, b: _compare(a, b) < 0)],
    "compareTo": [("k8s_q_cmp", ("Q", "Q"), "i", True, _compare)],
    "add": [
        ("k8s_q_add", ("Q", "Q"), "Q", True, lambda a, b: _q(_qv(a) + _qv(b))),
        ("k8s_q_add_int", ("Q", "i"), "Q", True, lambda a, b: _q(_qv(a) + b)),
    ],
    "sub": [
        ("k8s_q_sub", ("Q", "Q"), "Q", True, lambda a, b: _q(_qv(a) - _qv(b))),
        ("k8s_q_sub_int", ("Q", "i"), "Q", True, lambda a, b: _q(_qv(a) - b)),
    ],
    "asInteger": [("k8s_q_as_int", ("Q",), "i", True, _as_integer)],
    "isInteger": [("k8s_q_is_int", ("Q",), "b", True, lambda q: _qv(q) == _qv(q).to_integral())],
    "asApproximateFloat": [("k8s_q_float", ("Q",), "d", True, lambda q: float(_qv(q)))],
    "sign": [("k8s_q_sign", ("Q",), "i", True, lambda q: int(_qv(q) > 0) - int(_qv(q) < 0))],
    "url": [("k8s_url", ("s",), "U", False, _url)],
    "isURL": [("k8s_is_url", ("s",), "b", False, _is(_url))],
    "getScheme": [("k8s_url_scheme", ("U",), "s", True, lambda u: urlsplit(_field(u, URL)).scheme)],
    "getHost": [("k8s_url_host", ("U",), "s", True, lambda u: urlsplit(_field(u, URL)).netloc.rpartition("@")[2])],
    "getHostname": [("k8s_url_hostname", ("U",), "s", True, lambda u: urlsplit(_field(u, URL)).hostname or "")],
    "getPort": [("k8s_url_port", ("U",), "s", True, _port)],
    "getEscapedPath": [("k8s_url_path", ("U",), "s", True, lambda u: urlsplit(_field(u, URL)).path)],
    "getQuery": [("k8s_url_query", ("U",), "m", True, lambda u: parse_qs(urlsplit(_field(u, URL)).query))],
    "ip": [
        ("k8s_ip", ("s",), "I", False, _ip),
        ("k8s_cidr_ip", ("C",), "I", True, lambda c: {IP: str(ipaddress.ip_interface(_field(c, CIDR)).ip)}),
    ],
    "isIP": [("k8s_is_ip", ("s",), "b", False, _is(_ip))],
    "family": [("k8s_ip_family", ("I",), "i", True, lambda a: _address(a).version)],
    "isUnspecified": [("k8s_ip_unspecified", ("I",), "b", True, lambda a: _address(a).is_unspecified)],
    "isLoopback": [("k8s_ip_loopback", ("I",), "b", True, lambda a: _address(a).is_loopback)],
    "isLinkLocalMulticast": [
        ("k8s_ip_llm", ("I",), "b", True, lambda a: _address(a).is_multicast and _address(a).is_link_local)
    ],
    "isLinkLocalUnicast": [
        ("k8s_ip_llu", ("I",), "b", True, lambda a: _address(a).is_link_local and not _address(a).is_multicast)
    ],
    "isGlobalUnicast": [
        (
            "k8s_ip_global",
            ("I",),
            "b",
            True,
            lambda a: (
                not (
                    _address(a).is_multicast
                    or _address(a).is_loopback
                    or _address(a).is_link_local
                    or _address(a).is_unspecified
                    or str(_address(a)) == "255.255.255.255"
                )
            ),
        )
    ],
    "cidr": [("k8s_cidr", ("s",), "C", False, _cidr)],
    "isCIDR": [("k8s_is_cidr", ("s",), "b", False, _is(_cidr))],
    "containsIP": [
        ("k8s_cidr_contains_ip", ("C", "I"), "b", True, lambda c, a: _address(a) in _network(c)),
        ("k8s_cidr_contains_ip_string", ("C", "s"), "b", True, lambda c, a: _address(_ip(a)) in _network(c)),
    ],
    "containsCIDR": [
        ("k8s_cidr_contains_cidr", ("C", "C"), "b", True, lambda c, o: _contains(_network(c), _network(o))),
        (
            "k8s_cidr_contains_cidr_string",
            ("C", "s"),
            "b",
            True,
            lambda c, o: _contains(_network(c), _network(_cidr(o))),
        ),
    ],
    "masked": [("k8s_cidr_masked", ("C",), "C", True, lambda c: {CIDR: str(_network(c))})],
    "prefixLength": [("k8s_cidr_prefix", ("C",), "i", True, lambda c: _network(c).prefixlen)],
    "isSorted": [("k8s_list_sorted", ("l",), "b", True, _is_sorted)],
    "sum": [("k8s_list_sum", ("l",), "y", True, _sum)],
    "min": [("k8s_list_min", ("l",), "y", True, lambda items: _extreme(items, min))],
    "max": [("k8s_list_max", ("l",), "y", True, lambda items: _extreme(items, max))],
    "indexOf": [("k8s_list_index_of", ("l", "y"), "i", True, _index_of)],
    "lastIndexOf": [("k8s_list_last_index_of", ("l", "y"), "i", True, _last_index_of)],
    "find": [("k8s_regex_find", ("s", "s"), "s", True, _find)],
    "findAll": [
        ("k8s_regex_find_all", ("s", "s"), "L", True, _find_all),
        ("k8s_regex_find_all_n", ("s", "s", "i"), "L", True, _find_all),
    ],
}


def _no_authorizer(*args: Any) -> Any:
    raise LibraryError("authorizer is not available offline")


# The authorizer library, declared so that policies using it compile; expressions reading ``authorizer``
# are never evaluated (VM022 says so), and these raise if one ever is.
for _name, _params, _ret in (
    ("group", ("y", "s"), "y"),
    ("resource", ("y", "s"), "y"),
    ("subresource", ("y", "s"), "y"),
    ("namespace", ("y", "s"), "y"),
    ("name", ("y", "s"), "y"),
    ("path", ("y", "s"), "y"),
    ("serviceAccount", ("y", "s", "s"), "y"),
    ("check", ("y", "s"), "y"),
    ("allowed", ("y",), "b"),
    ("denied", ("y",), "b"),
    ("errored", ("y",), "b"),
    ("reason", ("y",), "s"),
    ("error", ("y",), "s"),
):
    FUNCTIONS[_name] = [(f"k8s_authz_{_name}", _params, _ret, True, _no_authorizer)]


def _contains(outer: Any, inner: Any) -> bool:
    return bool(outer.version == inner.version and inner.subnet_of(outer))


def library(cel: Any) -> Any:
    """The functions above as one cel-expr-python extension: declared there, ``indexOf`` and ``lastIndexOf`` on
    lists sit beside the strings extension's overloads on strings (as plain functions they would clash)."""
    return cel.CelExtension("vmlint.kubernetes", declarations(cel))


def declarations(cel: Any) -> list[Any]:
    """The functions above as cel-expr-python ``FunctionDecl`` values."""
    t = cel.Type
    tagged = t.Map(t.STRING, t.STRING)
    types = {
        "Q": tagged,
        "U": tagged,
        "I": tagged,
        "C": tagged,
        "s": t.STRING,
        "i": t.INT,
        "d": t.DOUBLE,
        "b": t.BOOL,
        "y": t.DYN,
        "l": t.List(t.DYN),
        "L": t.List(t.STRING),
        "m": t.Map(t.STRING, t.DYN),
    }
    out = []
    for name, overloads in FUNCTIONS.items():
        out.append(
            cel.FunctionDecl(
                name,
                [
                    cel.Overload(
                        id=oid,
                        return_type=types[ret],
                        parameters=[types[p] for p in params],
                        is_member=member,
                        impl=_guarded(impl),
                    )
                    for oid, params, ret, member, impl in overloads
                ],
            )
        )
    return out


def _guarded(impl: Callable[..., Any]) -> Callable[..., Any]:
    """Library errors reach CEL as evaluation errors with a readable message."""

    def call(*args: Any) -> Any:
        try:
            result = impl(*args)
        except LibraryError:
            raise
        except (ValueError, TypeError, ArithmeticError) as error:
            raise LibraryError(str(error)) from error
        if isinstance(result, float) and not math.isfinite(result):
            raise LibraryError("result is not a finite number")
        return result

    return call
