#!/usr/bin/env python3
"""Check every local link of the built book, offline.

    linkcheck.py BOOK_DIR

For each HTML page (print.html and 404.html aside, which mdBook derives from
the others), every href and src that is not an external URL must name a file
of the book, and a `#fragment` must name an id on the target page. External
links (http, https, mailto) are counted, not fetched: CI has no network.
Exit 1 listing every broken link.
"""
import html.parser
import pathlib
import sys
import urllib.parse

SKIP_PAGES = {"print.html", "404.html", "toc.html"}
EXTERNAL = ("http:", "https:", "mailto:", "javascript:", "data:")


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links = []
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("id", "name"):
            if a.get(key):
                self.ids.add(a[key])
        for key in ("href", "src"):
            if a.get(key):
                self.links.append((tag, a[key]))


def parse(path, cache):
    if path not in cache:
        p = Page()
        p.feed(path.read_text(encoding="utf-8", errors="replace"))
        cache[path] = p
    return cache[path]


def main():
    root = pathlib.Path(sys.argv[1]).resolve()
    cache = {}
    broken = []
    checked = external = 0
    pages = [p for p in sorted(root.rglob("*.html")) if p.name not in SKIP_PAGES]
    if not pages:
        sys.exit(f"linkcheck: no HTML pages under {root}")
    for page in pages:
        for tag, link in parse(page, cache).links:
            if not link or link.startswith(EXTERNAL):
                external += bool(link)
                continue
            checked += 1
            url = urllib.parse.urlsplit(link)
            target = page if not url.path else (page.parent / urllib.parse.unquote(url.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            rel = page.relative_to(root)
            if not str(target).startswith(str(root)):
                broken.append(f"{rel}: <{tag}> {link}: outside the book")
            elif not target.exists():
                broken.append(f"{rel}: <{tag}> {link}: no such file")
            elif url.fragment and target.suffix == ".html":
                if urllib.parse.unquote(url.fragment) not in parse(target, cache).ids:
                    broken.append(f"{rel}: <{tag}> {link}: no id \"{url.fragment}\" on {target.relative_to(root)}")
    for b in broken:
        print(f"linkcheck: {b}", file=sys.stderr)
    print(f"linkcheck: {len(pages)} pages, {checked} local links checked, {len(broken)} broken, {external} external links not fetched")
    sys.exit(1 if broken else 0)


if __name__ == "__main__":
    main()
