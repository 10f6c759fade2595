"""The OpenID4VP 1.0 verifier (relying-party backend) as an ASGI app: ``create_app(settings)``."""
