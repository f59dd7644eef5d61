"""Comparing two versions of a text (the General Assembly re-adopts its resolutions with
changed wording): which paragraphs were added, dropped, moved or amended, and how."""
