"""Geocoding: place mentions to coordinates with an ACLED geo_precision."""

from rasid.geo.gazetteer import Place, PlaceGazetteer
from rasid.geo.geocoder import Geocoder, PlaceMatch, km

__all__ = ["Geocoder", "Place", "PlaceGazetteer", "PlaceMatch", "km"]
