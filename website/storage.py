from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed, fingerprinted static files, with the relative imports of
    JavaScript modules (`import ... from "./x.js";`) rewritten to fingerprinted names too:
    a page then never runs a new module with an old one it imports, and every module is
    cached as immutable."""

    support_js_module_import_aggregation = True
