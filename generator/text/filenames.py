"""File names as the archive shows them: one printable, unambiguous, terminal-safe form.

On Linux a file name is bytes, not text. Every place that shows one (the build report, a page's list
of source files, its front matter, a message on stderr) shows `printable_name(name)`:

- valid UTF-8 stays as it is, e.g. Arabic names;
- a byte that is not part of valid UTF-8 becomes `\\xNN` (NN always 80 or more), so the name stays
  recognisable and a UTF-8 writer (JSON, YAML) can carry it;
- control characters (C0, DEL) become `\\xNN`, and C1 controls, bidi controls (U+061C, U+200E,
  U+200F, U+202A-U+202E, U+2066-U+2069) and line/paragraph separators become `\\uNNNN`: a name
  holding an ESC sequence must not retitle or clear the user's terminal, and U+202E must not
  reverse how the rest of a line reads;
- the escape character itself, the backslash, becomes `\\\\`.

Because every backslash of the real name is doubled, a `\\x` or `\\u` in the printable form always
stands for an escaped character: no real name prints as another's (`raw-\\xff.txt` for the byte FF
and `raw-\\\\xff.txt` for a name typed with a backslash). The mapping is one to one, so the printable
name may serve as a record's `source` and as a key. Caches still key files by their real name,
`real_name(path)` (the bytes), which needs no such argument.
"""

from __future__ import annotations

import os
import re

# What is escaped: the backslash, C0 controls and DEL, C1 controls, bidi controls, line and paragraph
# separators, and the lone surrogates (U+DC80-U+DCFF) that stand for bytes which are not UTF-8.
_UNSAFE = re.compile("[\\\\\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\udc80-\udcff]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char == "\\":
        return "\\\\"
    if code < 0x80:
        return f"\\x{code:02x}"  # C0 and DEL: as bytes, they are these very bytes
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"  # a byte that is not UTF-8 (always 80 or more)
    return f"\\u{code:04x}"  # C1 and the rest: never confused with the byte of the same number


def printable_name(name: str | bytes) -> str:
    """The form in which a file name is shown and reported (see the module's docstring)."""
    if isinstance(name, bytes):
        text = name.decode("utf-8", errors="surrogateescape")
    elif name.isascii():
        text = name
    else:  # one text per name, whether the bytes reached us as escapes or as characters
        try:
            data = os.fsencode(name)
        except UnicodeEncodeError:  # a surrogate that does not stand for a byte
            data = name.encode("utf-8", errors="surrogatepass")
        text = data.decode("utf-8", errors="surrogateescape")
    return _UNSAFE.sub(_escape, text)


def real_name(path: str) -> bytes:
    """The name as the file system holds it: what caches key a file by."""
    return os.fsencode(path)
