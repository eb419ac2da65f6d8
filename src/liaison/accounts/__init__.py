"""Users, passwords, second factors, tokens and sign-in."""
