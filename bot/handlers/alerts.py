"""Placeholder: filled in by its owner."""

from aiogram import Router

router = Router(name=__name__)
