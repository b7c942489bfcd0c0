"""Loopback fakes of the services the project talks to, and the glue that routes clients to them."""
