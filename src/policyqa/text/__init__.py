"""Language and text analysis shared by every stage: which language, which words, which units."""
