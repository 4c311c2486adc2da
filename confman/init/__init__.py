"""``confman init``: adopt an existing Hydra repository (see :mod:`confman.init.detect`)."""
