# SPDX-License-Identifier: GPL-3.0-or-later
"""Check and run a parsed MuMax3 script against a :class:`~spinlif.mx3.world.World`.

Two passes, as MuMax3 compiles the whole file before running it (``script/compile.go``):

1. :class:`Checker` resolves every name (case-insensitive), argument count and argument type
   statically; an unknown name, a name MuMax3 has but the cpu engine does not, a redeclared
   engine name, a wrong argument count or type is a :class:`ScriptError` naming the line.
2. :class:`Evaluator` runs the statements. An assignment to a parameter or excitation whose right
   side contains ``t`` stores a function that is re-evaluated at every solver stage, with the
   other variables frozen at their values at the assignment (MuMax3's ``Fix``, ``script/lvalue.go``).
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

from lark import Token, Tree

from spinlif.mx3.api import Config, Quantity, Shape, Vector
from spinlif.mx3.parser import ScriptError
from spinlif.mx3.world import Binding, World

_PY_TYPES = {bool: "bool", float: "float", int: "float", str: "string", Vector: "vector", Shape: "shape",
             Config: "config"}


@cache
def mumax3_names() -> frozenset[str]:
    """Lower-case names MuMax3 3.11.1 declares (``mumax3_names.txt``)."""
    text = (Path(__file__).with_name("mumax3_names.txt")).read_text()
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _line(node) -> int | None:
    if isinstance(node, Token):
        return node.line
    return getattr(node.meta, "line", None) if hasattr(node, "meta") and not node.meta.empty else None


def _type_name(t) -> str:
    if isinstance(t, Quantity):
        return f"{type(t).__name__} {t.name} ({t.ncomp} component{'s' if t.ncomp > 1 else ''})"
    if isinstance(t, type):
        return t.__name__
    return str(t)


def _method_sig(cls, name: str):
    """(python name, params, ret, variadic) of a script method of ``cls``, case-insensitive."""
    for attr in dir(cls):
        if attr.lower() == name.lower():
            f = getattr(cls, attr)
            if hasattr(f, "__mx3__"):
                return (attr,) + f.__mx3__
    return None


def _assignable(src, dst) -> bool:
    """MuMax3's ``typeConv`` rules (``script/typeconv.go``) on our type names."""
    if dst in ("any",) or src == "any":
        return True
    if isinstance(src, Quantity):  # a world quantity: its number of components is known
        ncomp = src.ncomp
        src = type(src)
    else:
        ncomp = None
    is_quantity = isinstance(src, type) and issubclass(src, Quantity)
    if dst in ("float", "int", "float_fn", "float_var"):
        return src in ("float", "int") or (is_quantity and ncomp in (None, 1))
    if dst in ("vector", "vector_fn"):
        return src == "vector" or (is_quantity and ncomp in (None, 3))
    if dst == "quantity":
        return is_quantity
    if dst in ("shape", "config", "bool", "string"):
        return src == dst
    if isinstance(dst, type):
        return src == dst or (isinstance(src, type) and issubclass(src, dst))
    return src == dst


class Scope:
    """Script variables: nested dicts of lower-case name -> [type, value]."""

    def __init__(self, parent: Scope | None = None):
        self.vars: dict[str, list] = {}
        self.parent = parent

    def find(self, name: str):
        s = self
        while s is not None:
            if name in s.vars:
                return s.vars[name]
            s = s.parent
        return None

    def frozen(self) -> Scope:
        """A copy with every visible variable's current value (MuMax3's closure ``Fix``)."""
        out = Scope()
        chain = []
        s = self
        while s is not None:
            chain.append(s)
            s = s.parent
        for s in reversed(chain):
            for k, v in s.vars.items():
                out.vars[k] = list(v)
        return out


class Checker:
    """Static pass: names, argument counts and types (see module doc)."""

    def __init__(self, bindings: dict[str, Binding], file: str):
        self.b = bindings
        self.file = file

    def error(self, node, message: str) -> ScriptError:
        return ScriptError(message, _line(node), self.file)

    def check(self, tree: Tree) -> None:
        self.block(tree.children, Scope())

    def block(self, stmts, scope: Scope) -> None:
        for s in stmts:
            self.stmt(s, scope)

    def stmt(self, node, scope: Scope) -> None:
        kind = node.data
        if kind == "decl":
            name, expr = node.children
            key = name.lower()
            if key in self.b:
                raise self.error(name, f"{name} := ...: already defined: {name} (a MuMax3 name)")
            if key in scope.vars:
                raise self.error(name, f"{name} := ...: already defined: {name}")
            t = self.expr(expr, scope)
            if t == "void":
                raise self.error(expr, f"{name} := ...: void used as value")
            scope.vars[key] = [t, None]
        elif kind in ("assign", "opassign"):
            target, expr = node.children[0], node.children[-1]
            dst = self.target_type(target, scope)
            src = self.expr(expr, scope)
            if not _assignable(src, dst):
                raise self.error(expr, f"type mismatch: can not use type {_type_name(src)} as {_type_name(dst)}")
        elif kind == "incdec":
            dst = self.target_type(node.children[0], scope)
            if dst not in ("float", "int", "any"):
                raise self.error(node, f"{node.children[1]}: not a number")
        elif kind == "expr_stmt":
            self.expr(node.children[0], scope)
        elif kind == "block":
            self.block(node.children, Scope(scope))
        elif kind == "for_clause":
            inner = Scope(scope)
            init, cond, post, body = node.children
            if init is not None:
                self.stmt(init, inner)
            if cond is not None:
                self.condition(cond, inner)
            if post is not None:
                self.stmt(post, inner)
            self.block(body.children, Scope(inner))
        elif kind == "for_while":
            self.condition(node.children[0], scope)
            self.block(node.children[1].children, Scope(scope))
        elif kind == "for_ever":
            self.block(node.children[0].children, Scope(scope))
        elif kind == "if_stmt":
            cond, body, other = node.children
            self.condition(cond, scope)
            self.block(body.children, Scope(scope))
            if other is not None:
                self.stmt(other, scope)
        else:
            raise self.error(node, f"unsupported statement {kind}")

    def condition(self, node, scope) -> None:
        t = self.expr(node, scope)
        if t not in ("bool", "any"):
            raise self.error(node, f"type mismatch: can not use type {_type_name(t)} as bool")

    def target_type(self, node, scope):
        if node.data != "name":
            raise self.error(node, "cannot assign to this expression")
        name = str(node.children[0])
        var = scope.find(name.lower())
        if var is not None:
            return var[0]
        binding = self.lookup(node, name)
        if binding.kind == "var" and binding.set is not None:
            if binding.type == "quantity":
                q = binding.get()
                from spinlif.mx3.api import Magnetization, Parameter
                if isinstance(q, Magnetization):
                    return "config"
                if isinstance(q, Parameter):
                    return "float_fn" if q.ncomp == 1 else "vector_fn"
            return binding.type
        raise self.error(node, f"cannot assign to {name}")

    def lookup(self, node, name: str) -> Binding:
        key = name.lower()
        if key in self.b:
            return self.b[key]
        if key in mumax3_names():
            raise self.error(node, f"{name}: supported by MuMax3, not by the cpu engine")
        raise self.error(node, f"undefined: {name} (not a MuMax3 name)")

    def value_type(self, value):
        if isinstance(value, Quantity):
            return value  # its class gives the methods, its ncomp the conversions
        for py, t in _PY_TYPES.items():
            if isinstance(value, py):
                return t
        return type(value)

    def expr(self, node, scope):
        if isinstance(node, Token):
            raise self.error(node, f"unexpected {node}")
        kind = node.data
        if kind == "number":
            return "float"
        if kind == "string":
            return "string"
        if kind == "name":
            name = str(node.children[0])
            var = scope.find(name.lower())
            if var is not None:
                return var[0]
            b = self.lookup(node, name)
            if b.kind == "func":
                raise self.error(node, f"{name}: a function used as a value (call it: {name}(...))")
            value = b.value if b.kind == "const" else b.get()
            return self.value_type(value)
        if kind in ("neg",):
            t = self.expr(node.children[0], scope)
            if not _assignable(t, "float"):
                raise self.error(node, f"invalid operation: -{_type_name(t)}")
            return "float"
        if kind == "not_":
            self.condition(node.children[0], scope)
            return "bool"
        if kind in ("or_", "and_"):
            for c in node.children:
                self.condition(c, scope)
            return "bool"
        if kind == "compare":
            a, op, b = node.children
            ta, tb = self.expr(a, scope), self.expr(b, scope)
            if not ((_assignable(ta, "float") and _assignable(tb, "float")) or ta == tb):
                raise self.error(node, f"invalid operation: {_type_name(ta)} {op} {_type_name(tb)}")
            return "bool"
        if kind == "binop":
            a, op, b = node.children
            ta, tb = self.expr(a, scope), self.expr(b, scope)
            if op == "+" and ta == "string" and tb == "string":
                return "string"
            for t in (ta, tb):
                if not _assignable(t, "float"):
                    raise self.error(node, f"invalid operation: {_type_name(ta)} {op} {_type_name(tb)} "
                                           "(operator on non-numbers)")
            return "float"
        if kind == "index":
            t = self.expr(node.children[0], scope)
            self.expect_type(node.children[1], self.expr(node.children[1], scope), "int")
            if t not in ("vector", "any"):
                raise self.error(node, f"invalid operation: index of type {_type_name(t)}")
            return "float"
        if kind == "attr":
            raise self.error(node, f"{node.children[1]}: a method used as a value (call it)")
        if kind == "call":
            return self.call(node, scope)
        raise self.error(node, f"unsupported expression {kind}")

    def expect_type(self, node, src, dst) -> None:
        if not _assignable(src, dst):
            raise self.error(node, f"type mismatch: can not use type {_type_name(src)} as {_type_name(dst)}")

    def call(self, node, scope):
        callee, args = node.children
        args = args.children if args is not None else []
        if callee.data == "name":
            name = str(callee.children[0])
            if scope.find(name.lower()) is not None:
                raise self.error(callee, f"cannot call non-function {name}")
            b = self.lookup(callee, name)
            if b.kind != "func":
                raise self.error(callee, f"cannot call non-function {name}")
            params, ret, variadic, label = b.params, b.type, b.variadic, name
        elif callee.data == "attr":
            recv, method = callee.children
            t = self.expr(recv, scope)
            if t == "any":
                for a in args:
                    self.expr(a, scope)
                return "any"
            cls = {"vector": Vector, "shape": Shape, "config": Config}.get(t, t) if isinstance(t, str) else \
                (type(t) if isinstance(t, Quantity) else t)
            sig = _method_sig(cls, str(method)) if isinstance(cls, type) else None
            if sig is None:
                raise self.error(method, f"type {_type_name(t)} has no method {method}")
            _, params, ret, variadic = sig
            label = f"{_type_name(t)}.{method}"
        else:
            raise self.error(node, "cannot call this expression")
        if not variadic and len(args) != len(params):
            raise self.error(node, f"{label}: wrong number of arguments: have {len(args)}, want {len(params)}")
        for a, p in zip(args, params):
            self.expect_type(a, self.expr(a, scope), p)
        if variadic:
            for a in args[len(params):]:
                self.expr(a, scope)
        if ret == "quantity":
            return Quantity
        return ret


class Evaluator:
    """Run pass: executes the statements on the world (see module doc)."""

    def __init__(self, world: World, bindings: dict[str, Binding], file: str):
        self.world, self.b, self.file = world, bindings, file

    def run(self, tree: Tree) -> None:
        self.block(tree.children, Scope())

    def block(self, stmts, scope: Scope) -> None:
        for s in stmts:
            try:
                self.stmt(s, scope)
            except ScriptError:
                raise
            except (ValueError, TypeError, ZeroDivisionError, OverflowError, IndexError) as err:
                raise ScriptError(str(err), _line(s), self.file) from err

    def stmt(self, node, scope: Scope) -> None:
        kind = node.data
        if kind == "decl":
            name, expr = node.children
            value = self.expr(expr, scope)
            scope.vars[name.lower()] = [None, value]
        elif kind == "assign":
            target, expr = node.children
            self.assign(target, expr, scope)
        elif kind == "opassign":
            target, op, expr = node.children
            value = self.binop(self.expr(target, scope), str(op)[0], self.expr(expr, scope))
            self.store(target, value, scope)
        elif kind == "incdec":
            target, op = node.children
            self.store(target, self.num(self.expr(target, scope)) + (1 if op == "++" else -1), scope)
        elif kind == "expr_stmt":
            self.expr(node.children[0], scope)
        elif kind == "block":
            self.block(node.children, Scope(scope))
        elif kind == "for_clause":
            inner = Scope(scope)
            init, cond, post, body = node.children
            if init is not None:
                self.stmt(init, inner)
            while cond is None or self.expr(cond, inner):
                self.block(body.children, Scope(inner))
                if post is not None:
                    self.stmt(post, inner)
        elif kind == "for_while":
            while self.expr(node.children[0], scope):
                self.block(node.children[1].children, Scope(scope))
        elif kind == "for_ever":
            while True:
                self.block(node.children[0].children, Scope(scope))
        elif kind == "if_stmt":
            cond, body, other = node.children
            if self.expr(cond, scope):
                self.block(body.children, Scope(scope))
            elif other is not None:
                self.stmt(other, scope)

    @staticmethod
    def depends_on_time(node) -> bool:
        return any(t.data == "name" and str(t.children[0]).lower() == "t" for t in node.iter_subtrees())

    def assign(self, target, expr, scope: Scope) -> None:
        name = str(target.children[0])
        var = scope.find(name.lower())
        if var is None:
            b = self.b[name.lower()]
            if b.type == "quantity" and self.depends_on_time(expr):
                frozen = scope.frozen()
                b.set(lambda: self.expr(expr, frozen))
                return
        self.store(target, self.expr(expr, scope), scope)

    def store(self, target, value, scope: Scope) -> None:
        name = str(target.children[0]).lower()
        var = scope.find(name)
        if var is not None:
            var[1] = value
            return
        b = self.b[name]
        if isinstance(value, Quantity) and b.type in ("float", "int"):
            value = value.Get()
        b.set(value)

    def num(self, v) -> float:
        if isinstance(v, Quantity):
            return v.Get()
        return v

    def binop(self, a, op, b):
        if op == "+" and isinstance(a, str):
            return a + b
        a, b = self.num(a), self.num(b)
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            if b == 0:
                return math.copysign(math.inf, a) if a != 0 else math.nan
            return a / b
        if op == "%":
            return math.fmod(a, b)
        raise ValueError(f"unknown operator {op}")

    def expr(self, node, scope: Scope):
        kind = node.data
        if kind == "number":
            return float(node.children[0])
        if kind == "string":
            return bytes(str(node.children[0])[1:-1], "utf-8").decode("unicode_escape")
        if kind == "name":
            key = str(node.children[0]).lower()
            var = scope.find(key)
            if var is not None:
                return var[1]
            b = self.b[key]
            return b.value if b.kind == "const" else b.get()
        if kind == "neg":
            return -self.num(self.expr(node.children[0], scope))
        if kind == "not_":
            return not self.expr(node.children[0], scope)
        if kind == "or_":
            return bool(self.expr(node.children[0], scope)) or bool(self.expr(node.children[1], scope))
        if kind == "and_":
            return bool(self.expr(node.children[0], scope)) and bool(self.expr(node.children[1], scope))
        if kind == "compare":
            a, op, b = node.children
            x, y = self.expr(a, scope), self.expr(b, scope)
            if not isinstance(x, (str, bool)):
                x, y = self.num(x), self.num(y)
            return {"==": x == y, "!=": x != y, "<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y}[str(op)]
        if kind == "binop":
            a, op, b = node.children
            return self.binop(self.expr(a, scope), str(op), self.expr(b, scope))
        if kind == "index":
            v = self.expr(node.children[0], scope)
            return v[int(self.num(self.expr(node.children[1], scope)))]
        if kind == "call":
            return self.call(node, scope)
        raise ScriptError(f"unsupported expression {kind}", _line(node), self.file)

    def call(self, node, scope: Scope):
        callee, args = node.children
        args = args.children if args is not None else []
        if callee.data == "name":
            b = self.b[str(callee.children[0]).lower()]
            impl, params = b.impl, b.params
        else:
            recv, method = callee.children
            obj = self.expr(recv, scope)
            sig = _method_sig(type(obj), str(method))
            if sig is None:
                raise ScriptError(f"type {type(obj).__name__} has no method {method}", _line(node), self.file)
            impl, params = getattr(obj, sig[0]), sig[1]
        values = []
        for i, a in enumerate(args):
            p = params[i] if i < len(params) else "any"
            if p in ("float_fn", "vector_fn") and self.depends_on_time(a):
                frozen = scope.frozen()
                values.append(lambda a=a, frozen=frozen: self.expr(a, frozen))
                continue
            if p == "float_var":  # TableAddVar: the expression is read at every use, variables live
                values.append(lambda a=a, scope=scope: float(self.expr(a, scope)))
                continue
            v = self.expr(a, scope)
            if p in ("float", "int", "float_fn") and isinstance(v, Quantity):
                v = v.Get()
            if p in ("vector", "vector_fn") and isinstance(v, Quantity):
                v = Vector(*v.average_values())
            if p == "int":
                if v != int(v):
                    raise ScriptError(f"argument {i + 1}: {v!r} is not an integer", _line(a), self.file)
                v = int(v)
            values.append(v)
        return impl(*values)
