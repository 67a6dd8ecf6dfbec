import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()

# Everything loaded so far lives as long as the worker process. Frozen, it is left out of the cyclic
# garbage collector's passes, which otherwise walk these ~100,000 objects again on every full collection
# (a few milliseconds of each request that builds thousands of model objects, as the API list does).
gc.freeze()
