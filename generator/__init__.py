"""stubforge: Swagger 2.0 / OpenAPI specs in; a typed client, a FastAPI server stub and docs out."""

__version__ = "0.1.0"
