"""Story briefs: an Arabic extractive summary, the timeline, the claims, and an English brief
generated from the coded events (no machine translation)."""

from rasid.brief.summarize import Candidate, summarize

__all__ = ["Candidate", "summarize"]
