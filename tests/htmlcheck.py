"""htmlcheck.py: what the HTML report tests share (Debian /usr/bin/python3,
standard library only).

  parse(text)          -> (root Node, [well-formedness problems])
  Node.find_all(tag=None, id=None, cls=None, **data)  matching descendants
  Node.text()          the text inside, entities decoded
  external_refs(text)  http(s):// references, src=, href=, url(), @import
  histogram(path)      -> {(r, g, b): pixels} of a screenshot (ImageMagick)

Well-formed here means: every element that is not void is closed, end tags
close the element opened last (no overlap), nothing is left open at the end,
and no <script> element exists.
"""
import html.parser
import re
import subprocess

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent=None):
        self.tag = tag
        self.attrs = dict(attrs)
        self.parent = parent
        self.children = []  # Node or str

    def text(self):
        return "".join(c if isinstance(c, str) else c.text()
                       for c in self.children)

    def iter(self):
        for c in self.children:
            if isinstance(c, Node):
                yield c
                yield from c.iter()

    def find_all(self, tag=None, id=None, cls=None, **data):
        """Descendants by tag, id, class and data- attributes (a keyword
        data_group="x" matches data-group="x")."""
        out = []
        for n in self.iter():
            if tag is not None and n.tag != tag:
                continue
            if id is not None and n.attrs.get("id") != id:
                continue
            if cls is not None and cls not in (n.attrs.get("class") or "").split():
                continue
            if any(n.attrs.get(k.replace("_", "-")) != v for k, v in data.items()):
                continue
            out.append(n)
        return out

    def find(self, **kw):
        found = self.find_all(**kw)
        if len(found) != 1:
            raise AssertionError("want one element for %r, found %d" % (kw, len(found)))
        return found[0]


class _Parser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", [])
        self.cur = self.root
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.problems.append("a <script> element at line %d" % self.getpos()[0])
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        if tag == "script":
            self.problems.append("a <script> element at line %d" % self.getpos()[0])
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if self.cur.tag != tag:
            self.problems.append("</%s> closes <%s> at line %d" %
                                 (tag, self.cur.tag, self.getpos()[0]))
            # Recover: close up to the matching element if there is one.
            n = self.cur
            while n is not None and n.tag != tag:
                n = n.parent
            if n is not None:
                self.cur = n.parent
            return
        self.cur = self.cur.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse(text):
    p = _Parser()
    p.feed(text)
    p.close()
    problems = list(p.problems)
    n = p.cur
    while n is not p.root:
        problems.append("<%s> never closed" % n.tag)
        n = n.parent
    if not text.lstrip().lower().startswith("<!doctype html>"):
        problems.append("no <!DOCTYPE html>")
    return p.root, problems


def external_refs(text):
    pats = [r"https?://", r"\bsrc\s*=", r"\bhref\s*=", r"url\s*\(",
            r"@import", r"//[a-z0-9.-]+\.[a-z]{2,}/"]
    return [m.group(0) for p in pats for m in re.finditer(p, text, re.I)]


def histogram(path):
    """{(r, g, b): pixels} of an image, from ImageMagick's histogram."""
    out = subprocess.run(["convert", path, "-alpha", "off", "-format", "%c",
                          "histogram:info:-"], check=True,
                         capture_output=True, text=True).stdout
    hist = {}
    for line in out.splitlines():
        m = re.match(r"\s*(\d+):\s*\(\s*(\d+),\s*(\d+),\s*(\d+)", line)
        if m:
            n, r, g, b = map(int, m.groups())
            hist[(r, g, b)] = hist.get((r, g, b), 0) + n
    return hist
