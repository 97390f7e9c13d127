"""Reading a tagged PDF's structure tree back with pypdf: the elements in tree order (which
is the reading order a screen reader follows), each with the text its marked content draws.

    tree = structure(PdfReader(path))
    tree.tags("Figure")            # the figures, in order, with .alt
    tree.text                      # every element's text, in reading order

pypdf has no structure-tree API, so this maps each page's marked-content ids (MCID, from
the BDC operators) to the text drawn inside them, then walks /StructTreeRoot."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfReader


@dataclass
class Element:
    """One structure element: its tag (``H2``, ``Table``, ``TH``…), alt text, the text of its
    own marked content and its children, in order."""

    tag: str
    alt: str | None = None
    own_text: str = ""
    children: list[Element] = field(default_factory=list)
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """All the text under this element, in reading order, whitespace squashed."""
        parts = [self.own_text] + [child.text for child in self.children]
        return " ".join(" ".join(parts).split())

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def tags(self, tag: str) -> list[Element]:
        return [e for e in self.walk() if e.tag == tag]


def marked_text(reader: PdfReader) -> dict[tuple[int, int], str]:
    """``{(page number, MCID): text}`` for every page."""
    texts: dict[tuple[int, int], str] = defaultdict(str)
    for number, page in enumerate(reader.pages):
        stack: list[int | None] = []

        def before(op: bytes, args: list, cm: Any, tm: Any, stack=stack) -> None:
            if op == b"BDC":
                props = args[1] if len(args) > 1 else None
                stack.append(props.get("/MCID") if hasattr(props, "get") else None)
            elif op == b"BMC":
                stack.append(None)
            elif op == b"EMC" and stack:
                stack.pop()

        def text(value: str, cm: Any, tm: Any, font: Any, size: Any, stack=stack,
                 number=number) -> None:
            if value and stack and stack[-1] is not None:
                texts[(number, stack[-1])] += value

        page.extract_text(visitor_operand_before=before, visitor_text=text)
    return texts


def attributes(value: Any) -> dict[str, Any]:
    """An element's attributes as one dict: /A is one attribute object (WeasyPrint) or an
    array of them, one per owner (Chromium: /Scope, /RowSpan and /ColSpan apart)."""
    value = value.get_object() if hasattr(value, "get_object") else value
    objects = value if isinstance(value, list) else [value] if value else []
    merged: dict[str, Any] = {}
    for item in objects:
        item = item.get_object() if hasattr(item, "get_object") else item
        if hasattr(item, "items"):
            merged.update(item)
    return merged


def structure(reader: PdfReader) -> Element:
    """The document's structure tree (raises KeyError when the PDF is not tagged)."""
    root = reader.trailer["/Root"]["/StructTreeRoot"].get_object()
    pages = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
    texts = marked_text(reader)

    def build(node: Any, page: int | None) -> Element | str | None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, int):
            return texts.get((page, node), "") if page is not None else ""
        if not hasattr(node, "get"):
            return None
        if "/Pg" in node:
            page = pages.get(node.raw_get("/Pg").idnum, page)
        if node.get("/Type") == "/MCR":
            return texts.get((page, int(node["/MCID"])), "")
        if node.get("/Type") == "/OBJR":
            return None
        element = Element(tag=str(node.get("/S", "/StructTreeRoot"))[1:],
                          alt=str(node["/Alt"]) if "/Alt" in node else None,
                          attributes=attributes(node.get("/A")))
        kids = node.get("/K")
        kids = kids if isinstance(kids, list) else [] if kids is None else [kids]
        for kid in kids:
            built = build(kid, page)
            if isinstance(built, Element):
                element.children.append(built)
            elif built:
                element.own_text += built
        return element

    built = build(root, None)
    assert isinstance(built, Element)
    return built
