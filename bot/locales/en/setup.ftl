# Finding the ids for the settings (/chatid, the bot added to a group).
cmd-chatid = This chat's id and yours
chatid-private =
    Your Telegram id: <code>{ $user }</code> (this is what goes into ADMIN_IDS).
    This chat's id: <code>{ $chat }</code>.
chatid-group =
    This chat's id: <code>{ $chat }</code>.
    To get digests and detractor alerts here, set MANAGER_CHAT_ID={ $chat } and restart the bot.
chatid-managers =
    This chat's id: <code>{ $chat }</code>.
    It is the managers' chat (MANAGER_CHAT_ID): digests and alerts come here.
chatid-managers-moved =
    This chat's id: <code>{ $chat }</code>.
    It is the managers' chat: the group of MANAGER_CHAT_ID={ $old } became this supergroup, and digests and alerts come here. Set MANAGER_CHAT_ID={ $chat } so the setting says so too.
chatid-added =
    I was added to the group “{ $title }”, its id: <code>{ $chat }</code>.
    If it is the managers' chat, set MANAGER_CHAT_ID={ $chat } and restart the bot.
chatid-added-current = I was added to the group “{ $title }” (<code>{ $chat }</code>): it is the managers' chat of MANAGER_CHAT_ID, digests and alerts will go there.
