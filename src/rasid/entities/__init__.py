"""Named entities: the trained tagger, canonical actors, and mentions resolved to actors and places."""

from rasid.entities.actors import Actor, ActorDictionary, ActorMatch
from rasid.entities.extract import DocumentEntities, EntityExtractor, Mention, summarize

__all__ = ["Actor", "ActorDictionary", "ActorMatch", "DocumentEntities", "EntityExtractor", "Mention", "summarize"]
