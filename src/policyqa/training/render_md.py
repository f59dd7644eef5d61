"""A handout as Markdown: the same blocks as the PDF, for editing or publishing."""

from __future__ import annotations

from policyqa.training.handout import Bullets, Handout, Heading, Para, Quote, quote_marks


def _escape(text: str) -> str:
    # Passage text may start a line with "1." or "(a)" or contain "*": keep it literal.
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_")


def render_markdown(handout: Handout) -> str:
    lines = [f"# {handout.title}", ""]
    if handout.subtitle:
        lines += [f"*{handout.subtitle}*", ""]
    for block in handout.blocks:
        if isinstance(block, Heading):
            lines += [f"{'#' * (block.level + 1)} {block.text}", ""]
        elif isinstance(block, Para):
            text = " ".join(block.text.split()) if not block.emphasis else f"*{' '.join(block.text.split())}*"
            lines += [text, ""]
        elif isinstance(block, Bullets):
            for n, item in enumerate(block.items, 1):
                lines.append(f"{n}. {item}" if block.numbered else f"- {item}")  # "- A. …" keeps A–D literal
            lines.append("")
        elif isinstance(block, Quote):
            opening, closing = quote_marks(block.lang)
            lines.append(f"> {opening}{_escape(' '.join(block.text.split()))}{closing}")
            lines.append(">")
            lines.append(f"> — {block.source}" + (f" *{block.note}*" if block.note else ""))
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
