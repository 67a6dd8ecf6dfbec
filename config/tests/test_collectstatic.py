"""Production collects static files with hashed names: every file they refer to must exist."""

from django.core.management import call_command


def test_collectstatic_with_the_manifest_succeeds(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "vendor/bootstrap/bootstrap.min.css" in manifest
    assert "fonts/dejavu/DejaVuSans.ttf" in manifest
