"""One structure module per document format: each turns cleaned text into Sections."""
