"""A small, safe expression language for indicator formulas.

An indicator (docs/architecture.md) is computed from a formula
such as ``symbioses_operating >= 2 and recp_applied`` or, for a park rolling up its tenant
enterprises, ``share(recp_verified and recp_savings_vnd > 0)``.

The source is parsed with :mod:`ast` (``mode="eval"``) and walked against an explicit
allow-list of node types; nothing is ever handed to ``eval``/``exec``/``compile``. Anything
outside the language (attribute access, subscripts, strings, lambdas, unknown functions,
keywords other than ``where`` …) is refused with a :class:`FormulaError`.

Language
--------
- Names: codes of data elements or of other indicators (ASCII identifiers).
- Literals: int and float numbers, ``True`` / ``False``.
- ``+ - * /`` and unary ``-`` on numbers; ``< <= > >= == !=`` (chains allowed) on numbers,
  ``== !=`` also on two booleans; ``and or not`` on booleans; parentheses.
- Aggregates over the park's tenant enterprises (park formulas only): ``share(cond)``,
  ``count(cond)``, ``sum(expr)``, ``mean(expr)``, each with an optional ``where=cond``.
  Inside an aggregate, names are enterprise-level codes; outside, the subject's own codes.
  Aggregates do not nest.

Semantics (vectorised over pandas columns; booleans are 1.0/0.0, NaN = no data)
-------------------------------------------------------------------------------
- Arithmetic with NaN is NaN; division by zero, and any other non-finite result, is NaN.
- Kleene logic: ``False and NaN`` = False, ``True or NaN`` = True, otherwise NaN propagates;
  ``not NaN`` = NaN; a comparison with NaN is NaN. A chain ``a < b < c`` is
  ``(a < b) and (b < c)``.
- Aggregates run over the park's *reporters* (tenants whose ``reported`` flag is True):

  - ``share(cond)`` = #reporters with cond True / #reporters with cond not NaN; NaN when
    that denominator is 0 (including a park with no reporters).
  - ``count(cond)`` = #reporters with cond True; 0 when there are reporters but none is
    True; NaN when the park has no reporters.
  - ``sum(expr)`` = sum of expr over reporters where expr is not NaN; 0 when there are
    reporters but no value matched; NaN when the park has no reporters.
  - ``mean(expr)`` = that sum / the number of values summed; NaN when nothing to average.
  - ``where=cond2`` first restricts the reporters to those with cond2 True (NaN or False
    excludes them). For ``share`` and ``count`` this is the same as ``cond and cond2``
    in the numerator, but the denominator of ``share`` counts only the rows where cond2
    is True.

- Coverage: every result carries ``reported`` (tenants of the park with ``reported``
  True) and ``population`` (all tenants of the park). They are filled for an indicator
  that is a roll-up, i.e. its formula has an aggregate or it references (transitively) an
  indicator that has one; otherwise both are NaN.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "AGGREGATES",
    "Formula",
    "FormulaError",
    "check_formulas",
    "evaluate",
    "parse_formula",
]

NUMBER = "number"
BOOLEAN = "boolean"
UNKNOWN = "unknown"  # only from parse_formula, for a formula that is a bare name
TYPES = frozenset({NUMBER, BOOLEAN})

#: Aggregate functions: name -> type their first argument must have.
AGGREGATES: dict[str, str] = {"share": BOOLEAN, "count": BOOLEAN, "sum": NUMBER, "mean": NUMBER}

MAX_SOURCE_CHARS = 4000
MAX_DEPTH = 120

_ARITHMETIC = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_ORDERING = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_EQUALITY = {ast.Eq: "==", ast.NotEq: "!="}


class FormulaError(ValueError):
    """A formula that cannot be accepted (syntax, allow-list, unknown code, type, cycle).

    Attributes: ``code`` — the indicator/criterion code being checked (may be None);
    ``token`` — the offending token text (may be None); ``message`` — what is wrong, naming
    the token. ``str()`` is ``"<code>: <message>"``, e.g.
    ``"VN35-EIP-E4: unknown code 'recp_aplied'"``.
    """

    def __init__(self, message: str, *, code: str | None = None, token: str | None = None):
        self.message = message
        self.code = code
        self.token = token
        super().__init__(f"{code}: {message}" if code else message)

    def __reduce__(self):  # keep keyword-only arguments through pickling (Celery results)
        return (_rebuild_formula_error, (self.message, self.code, self.token))


def _rebuild_formula_error(message, code, token):
    return FormulaError(message, code=code, token=token)


@dataclass(frozen=True)
class Formula:
    """A parsed formula.

    ``references``: subject-level codes used outside aggregates; ``tenant_references``:
    enterprise-level codes used inside aggregates; ``has_aggregate``: whether the formula
    itself calls share/count/sum/mean; ``result_type``: ``"number"`` or ``"boolean"``
    (from :func:`check_formulas`; :func:`parse_formula` alone cannot type a formula that is
    a bare name and gives ``"unknown"`` there). ``tree`` is the validated AST.
    """

    source: str
    references: frozenset[str]
    tenant_references: frozenset[str]
    has_aggregate: bool
    result_type: str
    tree: ast.Expression | None = field(repr=False, compare=False, default=None)


# --------------------------------------------------------------------------------------
# Parsing and the allow-list
# --------------------------------------------------------------------------------------


def parse_formula(source: str, *, code: str | None = None) -> Formula:
    """Parse ``source`` and check it against the allow-list (no type check, no code lookup).

    ``code`` is the indicator code, used only in error messages. Whitespace, including
    newlines, is insignificant. Returns a :class:`Formula`; raises :class:`FormulaError`
    (syntax errors, comments, non-ASCII text, any construct outside the language, nested
    aggregates, formulas longer than 4000 characters or nested deeper than 120 levels).
    """
    if not isinstance(source, str):
        raise FormulaError("formula must be text", code=code, token=repr(source))
    if len(source) > MAX_SOURCE_CHARS:
        raise FormulaError(
            f"formula is longer than {MAX_SOURCE_CHARS} characters", code=code, token=source[:20]
        )
    for ch in source:
        if not ch.isascii():
            raise FormulaError(f"character {ch!r} is not allowed", code=code, token=ch)
    if "#" in source:
        raise FormulaError("comments ('#') are not allowed", code=code, token="#")
    text = " ".join(source.split())
    if not text:
        raise FormulaError("empty formula", code=code, token="")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        token = _syntax_token(text, exc)
        raise FormulaError(
            f"syntax error at {token!r} ({exc.msg})", code=code, token=token
        ) from None
    except (RecursionError, MemoryError, ValueError, OverflowError):
        raise FormulaError("formula is too complex", code=code, token=text[:20]) from None
    walker = _Validator(text, code)
    walker.visit(tree.body, depth=0, in_aggregate=False)
    return Formula(
        source=source,
        references=frozenset(walker.references),
        tenant_references=frozenset(walker.tenant_references),
        has_aggregate=walker.has_aggregate,
        result_type=_structural_type(tree.body),
        tree=tree,
    )


def _syntax_token(text: str, exc: SyntaxError) -> str:
    offset = (exc.offset or 0) - 1
    if not 0 <= offset < len(text):
        return "end of formula"
    rest = text[offset:]
    token = rest.split(" ", 1)[0]
    return token or rest[:1]


def _segment(text: str, node: ast.AST) -> str:
    return ast.get_source_segment(text, node) or type(node).__name__


class _Validator:
    def __init__(self, text: str, code: str | None):
        self.text = text
        self.code = code
        self.references: set[str] = set()
        self.tenant_references: set[str] = set()
        self.has_aggregate = False

    def refuse(self, message: str, node: ast.AST, token: str | None = None):
        token = _segment(self.text, node) if token is None else token
        raise FormulaError(message.format(token=repr(token)), code=self.code, token=token)

    def visit(self, node: ast.AST, *, depth: int, in_aggregate: bool) -> None:
        if depth > MAX_DEPTH:
            self.refuse(f"formula is nested deeper than {MAX_DEPTH} levels at {{token}}", node)
        down = {"depth": depth + 1, "in_aggregate": in_aggregate}
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool):
                return
            if isinstance(value, int | float):
                try:
                    finite = math.isfinite(float(value))
                except OverflowError:
                    finite = False
                if not finite:
                    self.refuse("number {token} is out of range", node)
                return
            if isinstance(value, str | bytes):
                self.refuse("text literals are not allowed: {token}", node)
            self.refuse("literal {token} is not allowed", node)
        elif isinstance(node, ast.Name):
            name = node.id
            if name in AGGREGATES:
                self.refuse(f"{{token}} is a function; call it as {name}(...)", node, name)
            (self.tenant_references if in_aggregate else self.references).add(name)
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _ARITHMETIC:
                op = _operator_token(self.text, node)
                self.refuse("operator {token} is not allowed (use + - * /)", node, op)
            self.visit(node.left, **down)
            self.visit(node.right, **down)
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, ast.USub | ast.Not):
                op = {ast.UAdd: "+", ast.Invert: "~"}.get(type(node.op), "?")
                self.refuse("unary operator {token} is not allowed", node, op)
            self.visit(node.operand, **down)
        elif isinstance(node, ast.BoolOp):
            for value in node.values:
                self.visit(value, **down)
        elif isinstance(node, ast.Compare):
            for op in node.ops:
                if type(op) not in _ORDERING and type(op) not in _EQUALITY:
                    name = {ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in"}
                    self.refuse("comparison {token} is not allowed", node, name.get(type(op)))
            self.visit(node.left, **down)
            for comparator in node.comparators:
                self.visit(comparator, **down)
        elif isinstance(node, ast.Call):
            self.visit_call(node, depth=depth, in_aggregate=in_aggregate)
        elif isinstance(node, ast.Attribute):
            self.refuse("attribute access is not allowed: {token}", node)
        elif isinstance(node, ast.Subscript):
            self.refuse("subscripts are not allowed: {token}", node)
        else:
            kind = _REFUSED_NAMES.get(type(node), type(node).__name__)
            self.refuse(f"{kind} is not allowed: {{token}}", node)

    def visit_call(self, node: ast.Call, *, depth: int, in_aggregate: bool) -> None:
        if not isinstance(node.func, ast.Name):
            self.refuse("only share, count, sum and mean can be called, not {token}", node.func)
        name = node.func.id
        if name not in AGGREGATES:
            self.refuse("unknown function {token} (only share, count, sum, mean)", node.func, name)
        if in_aggregate:
            self.refuse("aggregates cannot be nested: {token}", node, name)
        if len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            self.refuse(f"{{token}} takes exactly one argument, as {name}(x)", node)
        for keyword in node.keywords:
            if keyword.arg != "where":
                token = keyword.arg or "**"
                self.refuse("keyword {token} is not allowed (only where=)", keyword.value, token)
        self.has_aggregate = True
        self.visit(node.args[0], depth=depth + 1, in_aggregate=True)
        for keyword in node.keywords:
            self.visit(keyword.value, depth=depth + 1, in_aggregate=True)


_REFUSED_NAMES = {
    ast.NamedExpr: "assignment",
    ast.IfExp: "conditional expression",
    ast.Lambda: "lambda",
    ast.JoinedStr: "f-string",
    ast.Tuple: "tuple",
    ast.List: "list",
    ast.Set: "set",
    ast.Dict: "dict",
    ast.ListComp: "comprehension",
    ast.SetComp: "comprehension",
    ast.DictComp: "comprehension",
    ast.GeneratorExp: "comprehension",
    ast.Starred: "unpacking",
    ast.Await: "await",
}


def _operator_token(text: str, node: ast.BinOp) -> str:
    symbols = {
        ast.FloorDiv: "//",
        ast.Mod: "%",
        ast.Pow: "**",
        ast.MatMult: "@",
        ast.BitAnd: "&",
        ast.BitOr: "|",
        ast.BitXor: "^",
        ast.LShift: "<<",
        ast.RShift: ">>",
    }
    return symbols.get(type(node.op), type(node.op).__name__)


def _structural_type(node: ast.AST) -> str:
    if isinstance(node, ast.Constant):
        return BOOLEAN if isinstance(node.value, bool) else NUMBER
    if isinstance(node, ast.BoolOp | ast.Compare):
        return BOOLEAN
    if isinstance(node, ast.UnaryOp):
        return BOOLEAN if isinstance(node.op, ast.Not) else NUMBER
    if isinstance(node, ast.BinOp | ast.Call):
        return NUMBER
    return UNKNOWN


def _where(node: ast.Call) -> ast.AST | None:
    return node.keywords[0].value if node.keywords else None


# --------------------------------------------------------------------------------------
# Checking: codes, cycles, types
# --------------------------------------------------------------------------------------


def check_formulas(
    formulas: dict[str, str],
    *,
    element_types: dict[str, str],
    tenant_element_types: dict[str, str] | None = None,
) -> dict[str, Formula]:
    """Parse and check a set of indicator formulas together.

    ``formulas`` maps indicator code -> source. A formula may reference data element codes
    (``element_types``: code -> ``"number"`` | ``"boolean"``) or other indicator codes in
    ``formulas`` (type inferred). Inside aggregates it may reference enterprise-level data
    element codes (``tenant_element_types``); pass ``None`` for enterprise formulas, which
    then may not aggregate.

    Returns indicator code -> :class:`Formula` (same order as ``formulas``) with
    ``result_type`` resolved. Raises :class:`FormulaError` naming the indicator code and the
    token for: syntax / allow-list errors, an indicator code that is also a data element
    code, unknown codes, aggregates when ``tenant_element_types`` is None, unknown tenant
    codes, cycles (the message gives the path, e.g. ``'a -> b -> a'``) and type mismatches.
    Errors are reported in that order, the first one found.
    """
    for types in (element_types, tenant_element_types or {}):
        for name, kind in types.items():
            if kind not in TYPES:
                raise ValueError(f"type of {name!r} must be 'number' or 'boolean', not {kind!r}")

    parsed = {code: parse_formula(source, code=code) for code, source in formulas.items()}

    for code, formula in parsed.items():
        if code in element_types:
            raise FormulaError(
                f"indicator code {code!r} is also a data element code", code=code, token=code
            )
        for name in sorted(formula.references):
            if name not in element_types and name not in parsed:
                raise FormulaError(f"unknown code {name!r}", code=code, token=name)
        if formula.has_aggregate:
            if tenant_element_types is None:
                token = _first_aggregate(formula.tree)
                raise FormulaError(
                    f"aggregate {token!r} is only allowed in park formulas", code=code, token=token
                )
            for name in sorted(formula.tenant_references):
                if name not in tenant_element_types:
                    raise FormulaError(f"unknown enterprise code {name!r}", code=code, token=name)

    order = _dependency_order(parsed)

    env: dict[str, str] = dict(element_types)
    checked: dict[str, Formula] = {}
    for code in order:
        formula = parsed[code]
        checker = _TypeChecker(_normalised(formula), code, env, tenant_element_types or {})
        result_type = checker.infer(formula.tree.body, in_aggregate=False)
        env[code] = result_type
        checked[code] = Formula(
            source=formula.source,
            references=formula.references,
            tenant_references=formula.tenant_references,
            has_aggregate=formula.has_aggregate,
            result_type=result_type,
            tree=formula.tree,
        )
    return {code: checked[code] for code in parsed}


def _normalised(formula: Formula) -> str:
    return " ".join(formula.source.split())


def _first_aggregate(tree: ast.AST) -> str:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return node.func.id
    return "?"


def _dependency_order(formulas: dict[str, Formula]) -> list[str]:
    """Indicator codes, dependencies first. Raises FormulaError on a cycle, naming the path."""
    order: list[str] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in formulas:
        if state.get(start) == 2:
            continue
        # Iterative depth-first search; the stack holds (code, remaining dependencies).
        path = [start]
        stack = [(start, iter(sorted(formulas[start].references & formulas.keys())))]
        state[start] = 1
        while stack:
            node, deps = stack[-1]
            dep = next(deps, None)
            if dep is None:
                stack.pop()
                path.pop()
                state[node] = 2
                order.append(node)
            elif state.get(dep) == 1:
                cycle = path[path.index(dep) :] + [dep]
                raise FormulaError(
                    f"cycle {' -> '.join(cycle)}", code=cycle[0], token=" -> ".join(cycle)
                )
            elif state.get(dep) != 2:
                state[dep] = 1
                path.append(dep)
                stack.append((dep, iter(sorted(formulas[dep].references & formulas.keys()))))
    return order


class _TypeChecker:
    def __init__(self, text: str, code: str, env: dict[str, str], tenant_env: dict[str, str]):
        self.text = text
        self.code = code
        self.env = env
        self.tenant_env = tenant_env

    def expect(self, node: ast.AST, wanted: str, why: str, *, in_aggregate: bool) -> None:
        got = self.infer(node, in_aggregate=in_aggregate)
        if got != wanted:
            token = _segment(self.text, node)
            raise FormulaError(
                f"type mismatch: {token!r} is {got}, {why} needs {wanted}s"
                if wanted == NUMBER
                else f"type mismatch: {token!r} is {got}, {why} needs a boolean",
                code=self.code,
                token=token,
            )

    def infer(self, node: ast.AST, *, in_aggregate: bool) -> str:
        if isinstance(node, ast.Constant):
            return BOOLEAN if isinstance(node.value, bool) else NUMBER
        if isinstance(node, ast.Name):
            return (self.tenant_env if in_aggregate else self.env)[node.id]
        if isinstance(node, ast.BinOp):
            why = f"'{_ARITHMETIC[type(node.op)]}'"
            self.expect(node.left, NUMBER, why, in_aggregate=in_aggregate)
            self.expect(node.right, NUMBER, why, in_aggregate=in_aggregate)
            return NUMBER
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Not):
                self.expect(node.operand, BOOLEAN, "'not'", in_aggregate=in_aggregate)
                return BOOLEAN
            self.expect(node.operand, NUMBER, "unary '-'", in_aggregate=in_aggregate)
            return NUMBER
        if isinstance(node, ast.BoolOp):
            why = "'and'" if isinstance(node.op, ast.And) else "'or'"
            for value in node.values:
                self.expect(value, BOOLEAN, why, in_aggregate=in_aggregate)
            return BOOLEAN
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            for op, left, right in zip(node.ops, operands, operands[1:], strict=False):
                if type(op) in _ORDERING:
                    why = f"'{_ORDERING[type(op)]}'"
                    self.expect(left, NUMBER, why, in_aggregate=in_aggregate)
                    self.expect(right, NUMBER, why, in_aggregate=in_aggregate)
                else:
                    left_type = self.infer(left, in_aggregate=in_aggregate)
                    right_type = self.infer(right, in_aggregate=in_aggregate)
                    if left_type != right_type:
                        token = _segment(self.text, right)
                        raise FormulaError(
                            f"type mismatch: '{_EQUALITY[type(op)]}' compares "
                            f"{_segment(self.text, left)!r} ({left_type}) with {token!r} "
                            f"({right_type})",
                            code=self.code,
                            token=token,
                        )
            return BOOLEAN
        if isinstance(node, ast.Call):
            name = node.func.id
            self.expect(node.args[0], AGGREGATES[name], f"{name}()", in_aggregate=True)
            where = _where(node)
            if where is not None:
                self.expect(where, BOOLEAN, "where=", in_aggregate=True)
            return NUMBER
        raise AssertionError(f"unvalidated node {type(node).__name__}")  # pragma: no cover


# --------------------------------------------------------------------------------------
# Evaluation (vectorised)
# --------------------------------------------------------------------------------------


def evaluate(
    formulas: dict[str, Formula],
    values: pd.DataFrame,
    tenants: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """Evaluate formulas for every subject at once.

    ``values``: index = subject id, columns = data element codes (float, NaN = missing;
    booleans as 1.0/0.0; bool and nullable dtypes are converted). A code with no column is
    all-NaN (nobody answered it).

    ``tenants`` (needed when a formula aggregates): one row per enterprise with columns
    ``park`` (subject id of its park, matching ``values.index``), ``reported`` (bool; NaN
    counts as False) and the enterprise data element codes (float, NaN = missing).

    Returns indicator code -> DataFrame indexed like ``values`` with float columns
    ``value`` (booleans as 1.0/0.0, NaN = no data), ``reported`` and ``population``
    (coverage counts of a roll-up, NaN for indicators that roll nothing up). Indicators
    referencing other indicators are evaluated in dependency order; an indicator code
    shadows a ``values`` column of the same name. Vectorised: whole columns at once, with
    per-park sums via ``np.bincount``; no Python loop over subjects or tenants.

    Raises :class:`FormulaError` on a dependency cycle or when a formula aggregates but
    ``tenants`` is None; ``ValueError`` when ``tenants`` lacks ``park``/``reported`` or a
    column cannot be read as numbers. Types are not re-checked here: use
    :func:`check_formulas` first.
    """
    n = len(values)
    parks = None
    if tenants is not None:

        def parks() -> ParkTenants:
            missing = {"park", "reported"} - set(tenants.columns)
            if missing:
                raise ValueError(f"tenants frame needs columns {sorted(missing)}")
            m = len(tenants)
            return ParkTenants(
                park=tenants["park"].to_numpy(),
                reported=_truthy(_as_float(tenants, "reported", m)),
                column=lambda name: _as_float(tenants, name, m),
                subjects=values.index,
            )

    arrays = evaluate_arrays(
        formulas, n=n, column=lambda name: _as_float(values, name, n), parks=parks
    )
    return {
        code: pd.DataFrame(
            {name: arrays[code][name] for name in ("value", "reported", "population")},
            index=values.index,
            dtype="float64",
        )
        for code in formulas
    }


def evaluate_arrays(
    formulas: dict[str, Formula],
    *,
    n: int,
    column: Callable[[str], np.ndarray],
    parks: Callable[[], ParkTenants] | None = None,
) -> dict[str, dict[str, np.ndarray]]:
    """:func:`evaluate` without frames, for the engine's hot path.

    ``column(name)``: the float array (length ``n``, NaN = missing, finite otherwise) of a
    data element for the subjects; ``parks()``: builds the :class:`ParkTenants` grouping of the
    tenants (called once, and only when a formula aggregates); None when there are no tenants.
    Returns indicator code -> ``{"value", "reported", "population", "numerator",
    "denominator"}`` float arrays of length ``n``; ``numerator``/``denominator`` are the
    enterprises counted and the enterprises it is a share of (those that reported a value)
    when the formula makes exactly one share or count of the tenants, NaN otherwise. Raises as
    :func:`evaluate` does.
    """
    order = _dependency_order(formulas)
    subject_columns: dict[str, np.ndarray] = {}
    park_frame: ParkTenants | None = None
    rollup: dict[str, bool] = {}
    results: dict[str, dict[str, np.ndarray]] = {}
    nothing = np.full(n, np.nan)

    def subject_column(name: str) -> np.ndarray:
        if name not in subject_columns:
            subject_columns[name] = column(name)
        return subject_columns[name]

    for code in order:
        formula = formulas[code]
        deps = formula.references & formulas.keys()
        rollup[code] = formula.has_aggregate or any(rollup[dep] for dep in deps)
        if formula.has_aggregate and parks is None:
            token = _first_aggregate(formula.tree)
            raise FormulaError(
                f"aggregate {token!r} needs the tenants frame", code=code, token=token
            )
        if (formula.has_aggregate or rollup[code]) and park_frame is None:
            park_frame = parks()
        evaluator = _Evaluator(n, subject_column, park_frame)
        value = evaluator.eval(formula.tree.body).astype("float64", copy=False)
        subject_columns[code] = value
        if rollup[code]:
            reported, population = park_frame.reported, park_frame.population
        else:
            reported = population = nothing
        numerator, denominator = (
            evaluator.fractions[0] if len(evaluator.fractions) == 1 else (nothing, nothing)
        )
        results[code] = {
            "value": value,
            "reported": reported,
            "population": population,
            "numerator": numerator,
            "denominator": denominator,
        }
    return {code: results[code] for code in formulas}


def _as_float(frame: pd.DataFrame, name: str, length: int) -> np.ndarray:
    if name not in frame.columns:
        return np.full(length, np.nan)
    try:
        column = frame[name].to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"column {name!r} cannot be read as numbers: {exc}") from None
    return np.where(np.isfinite(column), column, np.nan)


class ParkTenants:
    """Tenants grouped by park, positioned on the subjects.

    ``park``: each tenant's park (subject id, length m); ``reported``: bool per tenant;
    ``column(name)``: a tenant data element as a float array of length m (NaN = missing);
    ``subjects``: the subject ids the per-park sums are aligned on.
    """

    def __init__(self, *, park: np.ndarray, reported: np.ndarray, column, subjects):
        self.m = len(park)
        codes, uniques = pd.factorize(park)
        self.k = len(uniques)
        self.codes = codes
        self.known = codes >= 0
        self.position = pd.Index(uniques).get_indexer(subjects)  # -1: no tenants
        self.columns: dict[str, np.ndarray] = {}
        self._column = column
        self.reporters = np.asarray(reported, dtype=bool)
        self.population = self.per_subject(np.ones(self.m))
        self.reported = self.per_subject(self.reporters.astype(float))

    def column(self, name: str) -> np.ndarray:
        if name not in self.columns:
            self.columns[name] = self._column(name)
        return self.columns[name]

    def per_subject(self, weights: np.ndarray) -> np.ndarray:
        """Sum ``weights`` (one per tenant) by park, aligned on subjects; 0 if no tenants."""
        sums = np.bincount(self.codes[self.known], weights=weights[self.known], minlength=self.k)
        # One extra 0 at the end: a subject with no tenants has position -1 and reads it.
        return np.append(sums, 0.0)[self.position]


def _truthy(a: np.ndarray) -> np.ndarray:
    """True where ``a`` is known and non-zero (NaN is not True)."""
    return ~np.isnan(a) & (a != 0)


def _falsy(a: np.ndarray) -> np.ndarray:
    """True where ``a`` is known and zero (NaN is not False)."""
    return a == 0


def _finite(a: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(a), a, np.nan)


class _Evaluator:
    def __init__(self, n: int, subject_column, parks: ParkTenants | None):
        self.n = n
        self.subject_column = subject_column
        self.parks = parks
        #: (numerator, denominator) of each share/count evaluated, per subject
        self.fractions: list[tuple[np.ndarray, np.ndarray]] = []

    def eval(self, node: ast.AST, *, tenant: bool = False) -> np.ndarray:
        length = self.parks.m if tenant else self.n
        if isinstance(node, ast.Constant):
            return np.full(length, float(node.value))
        if isinstance(node, ast.Name):
            return self.parks.column(node.id) if tenant else self.subject_column(node.id)
        if isinstance(node, ast.BinOp):
            left = self.eval(node.left, tenant=tenant)
            right = self.eval(node.right, tenant=tenant)
            with np.errstate(all="ignore"):
                if isinstance(node.op, ast.Add):
                    result = left + right
                elif isinstance(node.op, ast.Sub):
                    result = left - right
                elif isinstance(node.op, ast.Mult):
                    result = left * right
                else:
                    result = np.where(right == 0, np.nan, left / np.where(right == 0, 1, right))
            return _finite(result)
        if isinstance(node, ast.UnaryOp):
            operand = self.eval(node.operand, tenant=tenant)
            if isinstance(node.op, ast.Not):
                return np.where(np.isnan(operand), np.nan, _falsy(operand).astype(float))
            return -operand
        if isinstance(node, ast.BoolOp):
            operands = [self.eval(value, tenant=tenant) for value in node.values]
            return (_and if isinstance(node.op, ast.And) else _or)(operands)
        if isinstance(node, ast.Compare):
            operands = [self.eval(node.left, tenant=tenant)]
            operands += [self.eval(c, tenant=tenant) for c in node.comparators]
            links = [
                _compare(op, left, right)
                for op, left, right in zip(node.ops, operands, operands[1:], strict=False)
            ]
            return links[0] if len(links) == 1 else _and(links)
        if isinstance(node, ast.Call):
            return self.aggregate(node)
        raise AssertionError(f"unvalidated node {type(node).__name__}")  # pragma: no cover

    def aggregate(self, node: ast.Call) -> np.ndarray:
        parks = self.parks
        name = node.func.id
        arg = self.eval(node.args[0], tenant=True)
        selected = parks.reporters
        where = _where(node)
        if where is not None:
            selected = selected & _truthy(self.eval(where, tenant=True))
        no_reporters = parks.reported == 0
        if name == "count":
            count = parks.per_subject((selected & _truthy(arg)).astype(float))
            count = np.where(no_reporters, np.nan, count)
            self.fractions.append((count, np.where(no_reporters, np.nan, parks.reported)))
            return count
        if name == "share":
            hits = parks.per_subject((selected & _truthy(arg)).astype(float))
            known = parks.per_subject((selected & ~np.isnan(arg)).astype(float))
            self.fractions.append(
                (np.where(known > 0, hits, np.nan), np.where(known > 0, known, np.nan))
            )
            with np.errstate(all="ignore"):
                return np.where(known > 0, hits / np.where(known > 0, known, 1), np.nan)
        used = selected & ~np.isnan(arg)
        with np.errstate(all="ignore"):
            total = _finite(parks.per_subject(np.where(used, arg, 0.0)))
            if name == "sum":
                return np.where(no_reporters, np.nan, total)
            n_used = parks.per_subject(used.astype(float))
            return np.where(n_used > 0, total / np.where(n_used > 0, n_used, 1), np.nan)


def _and(operands: list[np.ndarray]) -> np.ndarray:
    any_false = np.logical_or.reduce([_falsy(a) for a in operands])
    any_nan = np.logical_or.reduce([np.isnan(a) for a in operands])
    return np.where(any_false, 0.0, np.where(any_nan, np.nan, 1.0))


def _or(operands: list[np.ndarray]) -> np.ndarray:
    any_true = np.logical_or.reduce([_truthy(a) for a in operands])
    any_nan = np.logical_or.reduce([np.isnan(a) for a in operands])
    return np.where(any_true, 1.0, np.where(any_nan, np.nan, 0.0))


_COMPARE = {
    ast.Lt: np.less,
    ast.LtE: np.less_equal,
    ast.Gt: np.greater,
    ast.GtE: np.greater_equal,
    ast.Eq: np.equal,
    ast.NotEq: np.not_equal,
}


def _compare(op: ast.cmpop, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    result = _COMPARE[type(op)](left, right).astype(float)
    return np.where(np.isnan(left) | np.isnan(right), np.nan, result)
