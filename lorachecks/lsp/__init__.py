"""`lorachecks server`: the Language Server Protocol over stdio, for every editor.

``text``: positions and keys in a buffer; ``options``: what the format knows about an option
(hover, completion); ``session``: lint a buffer, its quick fixes and suppressions;
``server``: the pygls wiring. Only the ``server`` command imports this package.
"""
