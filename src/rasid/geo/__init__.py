"""Geocoding: place mentions to coordinates with an ACLED geo_precision."""

from rasid.geo.gazetteer import Place, PlaceGazetteer

__all__ = ["Place", "PlaceGazetteer"]
