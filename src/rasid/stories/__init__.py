"""Stories: segments grouped into real-world developments across outlets and days, incrementally."""

from rasid.stories.clustering import StoryClusterer
from rasid.stories.passes import assign_stories

__all__ = ["StoryClusterer", "assign_stories"]
