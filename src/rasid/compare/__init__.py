"""Cross-source comparison within a story: the source × event matrix, conflicting claims, each
outlet's names for the sides and its loaded vocabulary (editable ``compare/data/framing.yaml``)."""

from rasid.compare.compare import compare_story, event_clusters, source_key
from rasid.compare.framing import FramingLexicon

__all__ = ["compare_story", "event_clusters", "source_key", "FramingLexicon"]
