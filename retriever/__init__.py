"""Embedding, FAISS indexes and demonstration-selection strategies (knows nothing of `pipeline`)."""
