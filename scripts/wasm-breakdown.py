#!/usr/bin/env python3
"""Where the wasm bytes go (issue 11), without extra tools.

  scripts/wasm-breakdown.py functions [WASM] [by-crate | top N | match REGEX...]
      Code bytes of the release wasm before wasm-bindgen and wasm-opt, which still has
      its function names (WASM: <target>/front/wasm32-unknown-unknown/wasm-release/
      frontend.wasm). Sizes are before optimisation, so compare them with each
      other, not with the served files. Generic code is named after the framework type
      it belongs to (`tachys`, `reactive_graph`), not after the view that instantiated it.
"""
import collections
import os
import re
import signal
import sys


def leb128(buf, i):
    value = shift = 0
    while True:
        byte = buf[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def name_at(buf, i):
    length, i = leb128(buf, i)
    return buf[i:i + length].decode("utf8", "replace"), i + length


def skip_limits(buf, i):
    flags, i = leb128(buf, i)
    _, i = leb128(buf, i)
    return leb128(buf, i)[1] if flags & 1 else i


def function_sizes(path):
    """(code bytes, demangled name) of every function defined in the module."""
    buf = open(path, "rb").read()
    i, imported, bodies, names = 8, 0, [], {}
    while i < len(buf):
        section = buf[i]
        size, i = leb128(buf, i + 1)
        end = i + size
        if section == 2:  # imports: function indices start after the imported ones
            count, j = leb128(buf, i)
            for _ in range(count):
                _, j = name_at(buf, j)
                _, j = name_at(buf, j)
                kind, j = buf[j], j + 1
                if kind == 0:
                    _, j = leb128(buf, j)
                    imported += 1
                elif kind == 1:
                    j = skip_limits(buf, j + 1)
                elif kind == 2:
                    j = skip_limits(buf, j)
                else:
                    j += 2
        elif section == 10:  # code
            count, j = leb128(buf, i)
            for _ in range(count):
                body, j = leb128(buf, j)
                bodies.append(body)
                j += body
        elif section == 0:
            custom, j = name_at(buf, i)
            while custom == "name" and j < end:
                kind = buf[j]
                length, j = leb128(buf, j + 1)
                if kind == 1:  # function names
                    count, k = leb128(buf, j)
                    for _ in range(count):
                        index, k = leb128(buf, k)
                        names[index], k = name_at(buf, k)
                j += length
        i = end
    return [(size, demangle(names.get(n + imported, f"function {n}"))) for n, size in enumerate(bodies)]


LEGACY_ESCAPES = {"$LT$": "<", "$GT$": ">", "$u20$": " ", "$RF$": "&", "$C$": ",", "$BP$": "*",
                  "$LP$": "(", "$RP$": ")", "$u7b$": "{", "$u7d$": "}", "$u5b$": "[", "$u5d$": "]",
                  "$u27$": "'", "$u3b$": ";", "$u21$": "!", "$u2b$": "+", "$u3d$": "="}


def demangle(symbol):
    """Rust's legacy mangling (`_ZN…E`), enough to read; other symbols as they are."""
    if not symbol.startswith("_ZN"):
        return symbol
    i, parts = 3, []
    while i < len(symbol) and symbol[i].isdigit():
        j = i
        while symbol[j].isdigit():
            j += 1
        parts.append(symbol[j:j + int(symbol[i:j])])
        i = j + int(symbol[i:j])
    if parts and re.fullmatch(r"h[0-9a-f]{16}", parts[-1]):
        parts.pop()
    text = "::".join(parts).replace("..", "::")
    for escape, char in LEGACY_ESCAPES.items():
        text = text.replace(escape, char)
    return text


def functions(path, how):
    rows = function_sizes(path)
    print(f"{len(rows)} functions, {sum(size for size, _ in rows)} code bytes")
    if how and how[0] == "top":
        for size, name in sorted(rows, reverse=True)[: int(how[1]) if len(how) > 1 else 50]:
            print(f"{size:9d}  {name[:180]}")
    elif how and how[0] == "match":
        for pattern in how[1:]:
            hits = [size for size, name in rows if re.search(pattern, name)]
            print(f"{sum(hits):9d}  {len(hits):6d} functions  {pattern}")
    else:
        crates = collections.Counter()
        for size, name in rows:
            crates[re.sub(r"^<(T as |&mut )?", "", name).split("::")[0]] += size
        for crate, size in crates.most_common(40):
            print(f"{size:9d}  {crate}")


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quietly stop when piped into `head`
    args = sys.argv[1:]
    target = os.environ.get("CARGO_TARGET_DIR", "target")
    if args[:1] == ["functions"]:
        has_path = len(args) > 1 and args[1].endswith(".wasm")
        default = os.path.join(target, "front/wasm32-unknown-unknown/wasm-release/frontend.wasm")
        functions(args[1] if has_path else default, args[2:] if has_path else args[1:])
    else:
        sys.exit(__doc__)
