"""The OpenID4VCI 1.0 credential issuer (PID first) as an ASGI app: ``create_app(settings)``."""
