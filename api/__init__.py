"""The HTTP face of the service: app factory, routers, auth dependencies, problem rendering."""
