"""The foundation every layer shares: text folding, gettext, user errors, message types, clock.

Nothing here imports another package of ours; every other package may import it.
"""
