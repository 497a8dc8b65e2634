"""The PATH of `--from TARGET=PATH` (and of a [tool.lstmshape] group's `from`): a key path into
the user's file, or integer arithmetic over such paths and integer literals. A small
hand-written tokenizer and recursive-descent parser: nothing is evaluated by Python, and every
input is bounded (its length, its nesting, how many values it names, the digits of every number
it builds), so a hostile option costs microseconds.

    expression = term { ( "+" | " -" ) term } ;          (* "-" as an operator: after a space or ")" *)
    term       = factor { ( "*" | "//" ) factor } ;
    factor     = integer | path | "(" expression ")" ;
    integer    = digit { digit } ;                        (* not followed by "." or "[" *)
    path       = "." | segment { "." segment } ;
    segment    = ( name | index | quoted ) { filter } ;
    index      = [ "-" ] digit { digit } ;                (* -1: the last element *)
    name       = namechar { namechar | "-" } ;
    quoted     = '"' { any character but '"' and "\\" | "\\" any character } '"' ;
    filter     = "[" ( name | quoted ) "=" ( name | index | quoted ) "]" ;
    namechar   = any character but white space and . " [ ] ( ) + * / = -
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union

MAX_TEXT = 1_000  # characters of one PATH: a real one is a few dozen
MAX_NESTING = 16  # parentheses inside each other
MAX_OPERANDS = 64  # paths and literals in one expression
MAX_DIGITS = 30  # digits of a literal and of any value an expression builds
MAX_SEGMENTS = 64  # segments of one path
OPERATORS = ("+", "-", "*", "//")
NOT_IN_NAME = frozenset(' \t\r\n\f\v."[]()+*/=')
INDEX = re.compile(r"-?[0-9]+")
PLAIN = re.compile(r'[^\s."\[\]()+*/=0-9-][^\s."\[\]()+*/=]*\Z')  # a name that needs no quotes


class PathError(Exception):
    """A PATH or TARGET that is not written by the grammar (the words after the option)."""


@dataclass(frozen=True)
class Select:
    """A list filter, `[type=lstm]`: the elements that are mappings whose `key` holds `value`."""

    key: str
    value: str

    def __str__(self) -> str:
        return f"[{_quoted(self.key)}={_quoted(self.value)}]"


Part = Union[str, int, Select]


@dataclass(frozen=True)
class Ref:
    """A path operand: its parts and the text it was written as."""

    parts: tuple
    text: str


@dataclass(frozen=True)
class Operation:
    op: str
    left: "Expression"
    right: "Expression"


Expression = Union[int, Ref, Operation]


def parse_expression(text: str) -> Expression:
    """A PATH as written: a `Ref` when it is one path, else the arithmetic over paths and integers."""
    if len(text) > MAX_TEXT:
        raise PathError(f"PATH is {len(text):,} characters long; at most {MAX_TEXT:,}")
    parser = _Parser(text)
    tree = parser.expression(0)
    parser.skip_space()
    if parser.at < len(text):
        raise PathError(parser.unexpected("an operator (+, -, *, //)"))
    return tree


def parse_path(text: str) -> tuple:
    """One path (no arithmetic): `model.layers.-1` → ("model", "layers", -1); `.` → ()."""
    if len(text) > MAX_TEXT:
        raise PathError(f"path is {len(text):,} characters long; at most {MAX_TEXT:,}")
    parser = _Parser(text)
    parser.skip_space()
    parts = parser.path()
    parser.skip_space()
    if parser.at < len(text):
        raise PathError(parser.unexpected("the end of the path"))
    return parts


def references(tree: Expression) -> list[Ref]:
    """The paths an expression reads, in the order written."""
    if isinstance(tree, Ref):
        return [tree]
    if isinstance(tree, Operation):
        return references(tree.left) + references(tree.right)
    return []


def dotted(parts: tuple) -> str:
    """A path as the grammar writes it (quoting a segment that needs it): `a."b.c".0[type=lstm]`."""
    out = ""
    for part in parts:
        if isinstance(part, Select):
            out += str(part)
        else:
            out += ("." if out else "") + (str(part) if isinstance(part, int) else _quoted(part))
    return out or "."


def show(tree: Expression) -> str:
    """An expression written back in the grammar, fully parenthesised where it matters."""
    if isinstance(tree, Ref):
        return tree.text
    if isinstance(tree, Operation):
        right = f"({show(tree.right)})" if isinstance(tree.right, Operation) else show(tree.right)
        return f"{show(tree.left)} {tree.op} {right}"
    return str(tree)


def too_big(value: int) -> bool:
    """Past MAX_DIGITS digits: no size of a network, and never computed further."""
    return abs(value) >= 10 ** MAX_DIGITS


def _quoted(name: str) -> str:
    if PLAIN.match(name):
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.at = 0
        self.operands = 0

    # tokens
    def skip_space(self) -> bool:
        start = self.at
        while self.at < len(self.text) and self.text[self.at].isspace():
            self.at += 1
        return self.at > start

    def peek(self, token: str) -> bool:
        return self.text.startswith(token, self.at)

    def unexpected(self, wanted: str) -> str:
        if self.at >= len(self.text):
            return f"expected {wanted} at the end of {self.text!r}"
        return f"expected {wanted} at column {self.at + 1} of {self.text!r}, found {self.text[self.at]!r}"

    # expression = term { ( "+" | " -" ) term }
    def expression(self, depth: int) -> Expression:
        tree = self.term(depth)
        while True:
            spaced = self.skip_space() or self.text[self.at - 1:self.at] == ")"
            if self.peek("+") or (self.peek("-") and spaced):
                op = self.text[self.at]
                self.at += 1
                tree = Operation(op, tree, self.term(depth))
            else:
                return tree

    # term = factor { ( "*" | "//" ) factor }
    def term(self, depth: int) -> Expression:
        tree = self.factor(depth)
        while True:
            mark = self.at
            self.skip_space()
            if self.peek("*") or self.peek("//"):
                op = "*" if self.peek("*") else "//"
                self.at += len(op)
                tree = Operation(op, tree, self.factor(depth))
            else:
                self.at = mark  # the space may precede " -"
                return tree

    # factor = integer | path | "(" expression ")"
    def factor(self, depth: int) -> Expression:
        self.skip_space()
        self.operands += 1
        if self.operands > MAX_OPERANDS:
            raise PathError(f"an expression names at most {MAX_OPERANDS} paths and numbers")
        if self.peek("("):
            if depth >= MAX_NESTING:
                raise PathError(f"parentheses nest at most {MAX_NESTING} deep")
            self.at += 1
            self.operands -= 1  # the parenthesis is no operand
            tree = self.expression(depth + 1)
            self.skip_space()
            if not self.peek(")"):
                raise PathError(self.unexpected("')'"))
            self.at += 1
            return tree
        start = self.at
        digits = self.digits()
        if digits and not (self.peek(".") or self.peek("[") or self.name_char()):
            if len(digits) > MAX_DIGITS:
                raise PathError(f"the number at column {start + 1} has {len(digits):,} digits; at most {MAX_DIGITS}")
            return int(digits)
        self.at = start
        if self.at >= len(self.text) or self.text[self.at] in "+*/)":
            raise PathError(self.unexpected("a path or an integer"))
        parts = self.path()
        return Ref(parts, self.text[start:self.at])

    def digits(self) -> str:
        start = self.at
        while self.at < len(self.text) and self.text[self.at] in "0123456789":
            self.at += 1
        return self.text[start:self.at]

    def name_char(self) -> bool:
        return self.at < len(self.text) and self.text[self.at] not in NOT_IN_NAME and not self.text[self.at].isspace()

    # path = "." | segment { "." segment }
    def path(self) -> tuple:
        after = self.text[self.at + 1:self.at + 2]
        if self.peek(".") and (after in ("", ")") or after.isspace()):
            self.at += 1  # the root
            return ()
        parts: list = []
        while True:
            parts += self.segment()
            if len(parts) > MAX_SEGMENTS:
                raise PathError(f"a path has at most {MAX_SEGMENTS} segments")
            if not self.peek("."):
                return tuple(parts)
            self.at += 1

    # segment = ( name | index | quoted ) { filter }
    def segment(self) -> list:
        if self.peek('"'):
            step: Part = self.quoted()
        else:
            start = self.at
            while self.name_char():
                self.at += 1
            word = self.text[start:self.at]
            if not word:
                raise PathError(self.unexpected("a key, an index or a quoted key"))
            step = int(word) if INDEX.fullmatch(word) and len(word) <= MAX_DIGITS else word
        parts: list = [step]
        while self.peek("["):
            parts.append(self.select())
        return parts

    def quoted(self) -> str:
        self.at += 1
        out = []
        while self.at < len(self.text) and not self.peek('"'):
            if self.peek("\\") and self.at + 1 < len(self.text):
                self.at += 1
            out.append(self.text[self.at])
            self.at += 1
        if not self.peek('"'):
            raise PathError(f"a quoted key is not closed in {self.text!r}")
        self.at += 1
        return "".join(out)

    # filter = "[" ( name | quoted ) "=" ( name | index | quoted ) "]"
    def select(self) -> Select:
        self.at += 1
        key = self.word("a key to select by, as in [type=lstm]")
        if not self.peek("="):
            raise PathError(self.unexpected("'=' in a filter [KEY=VALUE]"))
        self.at += 1
        value = self.word("a value to select by, as in [type=lstm]")
        if not self.peek("]"):
            raise PathError(self.unexpected("']' closing the filter"))
        self.at += 1
        return Select(key, value)

    def word(self, wanted: str) -> str:
        if self.peek('"'):
            return self.quoted()
        start = self.at
        while self.name_char():
            self.at += 1
        if self.at == start:
            raise PathError(self.unexpected(wanted))
        return self.text[start:self.at]
