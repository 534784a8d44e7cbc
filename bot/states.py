"""FSM states of the partner's conversation."""

from aiogram.fsm.state import State, StatesGroup


class Survey(StatesGroup):
    """Where the partner is in the survey; data holds campaign_id / response_id / message ids."""

    score = State()
    comment = State()
    drivers = State()
