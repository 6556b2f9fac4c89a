"""Page routes, one module per audience (public, signing in and out, each role's pages)."""
