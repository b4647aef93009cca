"""Pack a study's stage cache for the repository, or unpack it into a study directory.

The stage cache (``load/ generate/ sample/ retrieve/ solve/``, one directory per stage key) is what lets any
machine re-run the study from its records, or resume it. Its JSONL records are committed xz-compressed, one
file each (``predictions.jsonl.xz``: 17 MB -> 0.8 MB), so an update changes only the files that changed; the
small ``inputs.json``/``timing.json``/``DONE`` files stay plain. The index stage is left out: it is rebuilt in
seconds from the pool. UDR's LM-feedback pair scores (``udr/scores/``, hours of engine time) are packed too; its
trained encoders are not (weights; retraining from the cached scores needs no engine).

Usage (from the repository root):

    python docs/reference-study/stage_cache.py unpack docs/reference-study/stage-cache ~/saicot-runs/reference-gsm8k-r2
    python docs/reference-study/stage_cache.py pack ~/saicot-runs/reference-gsm8k-r2 docs/reference-study/stage-cache

``unpack`` never overwrites a file that exists (a newer record in the study directory wins); ``pack`` writes
only files whose content changed.
"""

from __future__ import annotations

import lzma
import sys
from pathlib import Path

#: what is packed, as (directory, glob inside it)
PACKED = {"load": "*/*", "generate": "*/*", "sample": "*/*", "retrieve": "*/*", "solve": "*/*", "udr": "scores/*"}


def pack(study: Path, dest: Path) -> int:
    """Copy every stage file of `study` into `dest`, JSONL compressed; returns how many files changed."""
    changed = 0
    for src in sorted(p for stage, pattern in PACKED.items() for p in (study / stage).glob(pattern) if p.is_file()):
        rel = src.relative_to(study)
        data = src.read_bytes()
        if src.suffix == ".jsonl":
            out, data = dest / (str(rel) + ".xz"), lzma.compress(data, preset=9)
        else:
            out = dest / rel
        if not out.exists() or out.read_bytes() != data:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
            changed += 1
    return changed


def unpack(src: Path, study: Path) -> int:
    """Restore `src` (a packed cache) into `study`, keeping files already there; returns how many were written."""
    written = 0
    for path in sorted(p for p in src.rglob("*") if p.is_file() and p.parts[len(src.parts)] in PACKED):
        rel = path.relative_to(src)
        out = study / (str(rel)[:-3] if path.suffix == ".xz" else rel)
        if out.exists():
            continue
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(lzma.decompress(path.read_bytes()) if path.suffix == ".xz" else path.read_bytes())
        written += 1
    return written


def main() -> None:
    if len(sys.argv) != 4 or sys.argv[1] not in ("pack", "unpack"):
        sys.exit(__doc__)
    verb, a, b = sys.argv[1], Path(sys.argv[2]).expanduser(), Path(sys.argv[3]).expanduser()
    n = pack(a, b) if verb == "pack" else unpack(a, b)
    print(f"{verb}: {n} files written into {b}")


if __name__ == "__main__":
    main()
