"""ORM models. Importing this package registers every table on ``Base.metadata``."""

from storage.models.alert import Alert, AlertMessage
from storage.models.announcement import Announcement
from storage.models.base import Base, utcnow
from storage.models.bot_state import BotState, HeldPost
from storage.models.campaign import Campaign
from storage.models.delivery import Delivery
from storage.models.fsm import FsmRecord
from storage.models.hook import HookDelivery, HookEndpoint
from storage.models.inbox import InboxUpdate
from storage.models.job_run import JobRun
from storage.models.kpi import PartnerKpi
from storage.models.lease import Lease
from storage.models.model_cache import ModelCache
from storage.models.partner import Partner
from storage.models.partner_post import PartnerPost
from storage.models.response import Response, ResponseDriver, category_of
from storage.models.send_budget import SendBudgetRow
from storage.models.theme import ResponseTheme

__all__ = [
    "Alert",
    "AlertMessage",
    "Announcement",
    "Base",
    "BotState",
    "Campaign",
    "Delivery",
    "FsmRecord",
    "HeldPost",
    "HookDelivery",
    "HookEndpoint",
    "InboxUpdate",
    "JobRun",
    "Lease",
    "ModelCache",
    "Partner",
    "PartnerKpi",
    "PartnerPost",
    "Response",
    "ResponseDriver",
    "ResponseTheme",
    "SendBudgetRow",
    "category_of",
    "utcnow",
]
