"""The node's and its authorities' keys, private halves encrypted at rest."""
