"""Build the word clusters the entity tagger uses as features (src/rasid/entities/data/word_clusters.tsv).

    python tools/build_word_clusters.py ../shared/data/saudinewsnet [--top 60000]

Trains skip-gram word vectors (gensim) on the matching keys of SaudiNewsNet tokens, then groups
the most frequent words with k-means (scikit-learn) at three granularities. Only the cluster
numbers are kept, never text or vectors. Needs the ``tools`` extra (gensim, scikit-learn); the
tagger itself only reads the table. Seeds are fixed, but gensim with two worker threads is not bit-for-bit repeatable.
"""

import argparse
import json
import sys
import zipfile
from pathlib import Path

from rasid.text.tokens import tokenize

GRANULARITIES = (64, 320, 1600)


def sentences(data: Path):
    for archive in sorted(data.glob("*.zip")):
        with zipfile.ZipFile(archive) as z:
            for name in sorted(z.namelist()):
                for rec in json.loads(z.read(name)):
                    for line in (rec.get("content") or "").splitlines():
                        keys = [t.key for t in tokenize(line) if t.kind != "punct" or t.text in ".،,:"]
                        if len(keys) > 3:
                            yield keys


def main() -> int:
    from gensim.models import Word2Vec
    from sklearn.cluster import MiniBatchKMeans

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", type=Path)
    ap.add_argument("--top", type=int, default=60000)
    ap.add_argument("--out", type=Path, default=Path("src/rasid/entities/data/word_clusters.tsv"))
    ap.add_argument("--vectors", type=Path, help="also save the word vectors here (.npz) for `rasid train-ner`")
    ap.add_argument("--skip-clusters", action="store_true")
    args = ap.parse_args()
    corpus = list(sentences(args.data))
    print(f"{len(corpus)} lines, {sum(map(len, corpus))} tokens", flush=True)
    model = Word2Vec(corpus, vector_size=100, window=5, min_count=5, sg=1, negative=5, epochs=5,
                     workers=2, seed=7)
    words = model.wv.index_to_key[: args.top]
    vectors = model.wv[words]
    if args.vectors:
        import numpy as np

        np.savez_compressed(args.vectors, words=np.array(words), vectors=vectors.astype("float32"))
        print(f"vectors -> {args.vectors}", flush=True)
    if args.skip_clusters:
        return 0
    vectors = vectors / ((vectors ** 2).sum(axis=1, keepdims=True) ** 0.5 + 1e-9)
    labels = []
    for k in GRANULARITIES:
        km = MiniBatchKMeans(n_clusters=k, random_state=7, batch_size=4096, n_init=3).fit(vectors)
        labels.append(km.labels_)
        print(f"k={k} done", flush=True)
    with args.out.open("w", encoding="utf-8") as fh:
        fh.write("# Word clusters for the entity tagger: matching key, then its cluster at k="
                 + ",".join(map(str, GRANULARITIES)) + ".\n")
        fh.write("# source: skip-gram vectors (gensim) and k-means (scikit-learn) over SaudiNewsNet\n")
        fh.write("#   (M. Alhagri 2015, CC BY-NC-SA 4.0); only cluster numbers are kept, no text or vectors.\n")
        fh.write("# licence of this table: CC BY-NC-SA 4.0; built by tools/build_word_clusters.py; version: 1\n")
        for i, w in enumerate(words):
            fh.write(w + "\t" + "\t".join(str(lab[i]) for lab in labels) + "\n")
    print(f"{len(words)} words -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
