"""Pydantic schemas of the example ML system in ``conf/``, bound in ``[tool.confman.schemas]``.

Every model forbids unknown keys (confman's default for models that do not set ``extra``), so a
typo in a config is an error at its file:line instead of a silently ignored key.
"""
