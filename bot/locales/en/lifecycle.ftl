# Telegram's chat lifecycle: the managers' chat moving, the bot removed and added back.
lc-upgraded = ⚠️ The managers' chat became a supergroup (new id { $new }); the bot now posts there. Set MANAGER_CHAT_ID={ $new } in the bot's settings.
lc-removed = ⚠️ The bot was removed from the managers' chat ({ $chat }): alerts and digests are kept and will be posted when you add the bot back.
lc-back = ✅ The bot is back in the managers' chat ({ $chat }); posting what was kept: { $alerts } alert(s), { $digests } digest(s).
lc-edited = I see you edited a message. Edits don't change an answer that is already saved — if you want to add or correct something, just send it as a new message.
lc-alert-erased = This partner deleted their data at their request: their name and words are no longer shown.
lc-post-erased = Removed: this partner deleted their data at their request, so their name and words are no longer shown.
