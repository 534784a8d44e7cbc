"""Signed webhooks out (Standard Webhooks): the URL guard, HOOKS_FILE and the delivery loop.

Events are queued by the storage layer in the transaction that causes them
(storage.repo.hook_events); :mod:`bot.hooks.sender` delivers them from the worker.
"""
