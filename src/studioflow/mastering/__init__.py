"""The mastering engineer: platform targets, the mastering chain, reference matching, delivery."""
