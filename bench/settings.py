"""Production settings with the benchmark's URLs (the trivial ceiling view added); used only by bench/http_load.py."""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# collectstatic with the manifest storage fails on vendor/bootstrap/bootstrap.bundle.min.js (it references a
# source map that is not shipped); the benchmark serves static files without the manifest instead.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"}}  # noqa: F405
