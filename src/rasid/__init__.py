"""Rasid: Arabic news articles in, structured and source-linked intelligence out.

Importing the package does no I/O and loads no model; every capability loads its
resources when it is first built.
"""

import logging

__version__ = "0.1.0"
__all__ = ["__version__"]

logging.getLogger(__name__).addHandler(logging.NullHandler())
