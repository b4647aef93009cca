"""Embedding, FAISS indexes and demonstration-selection strategies (knows nothing of `pipeline`).

Heavy libraries (torch, sentence-transformers, FAISS) are imported only when an embedder or index is built.
"""

from retriever.index import IndexMismatchError, VectorIndex
from retriever.registry import Pool, PoolItem, Strategy, available, get_strategy, register

__all__ = ["IndexMismatchError", "Pool", "PoolItem", "Strategy", "VectorIndex", "available", "get_strategy",
           "register"]
