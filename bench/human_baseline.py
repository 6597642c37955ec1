"""What `dream eval`'s variety metrics give for prose a person wrote, as a yardstick.

    python bench/human_baseline.py [--words 700] [--sample 50]

Cuts the built-in companion corpus (written by hand, in the dreams' own register) into
pieces as long as a dream and scores them exactly as `dream eval` scores dreams: distinct-2
and self-BLEU-3 (each piece against all the others). A generator that reaches these numbers
varies its wording as much as a person writing the same kind of text does.
"""

from __future__ import annotations

import argparse

from generator import evaluate, learning, paths, texture


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--words", type=int, default=700, help="words per piece (a dream's)")
    parser.add_argument("--sample", type=int, default=evaluate.SAMPLE)
    args = parser.parse_args()
    files = texture.corpus_files([paths.builtin("corpus") / "companion"])
    words = [w for p in learning.read_passages(files) for w in evaluate.words(p.text)]
    pieces = [words[i : i + args.words] for i in range(0, len(words) - args.words, args.words)]
    table = evaluate.NgramTable(pieces)
    print(f"{len(pieces)} pieces of {args.words} words of the companion corpus")
    print(f"distinct-2   {table.distinct(2):.3f}")
    print(f"self-BLEU-3  {table.self_bleu(args.sample):.3f}  (sample of {args.sample})")


if __name__ == "__main__":
    main()
