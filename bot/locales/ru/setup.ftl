# Finding the ids for the settings (/chatid, the bot added to a group).
cmd-chatid = Id этого чата и ваш id
chatid-private =
    Ваш Telegram id: <code>{ $user }</code> (его вписывают в ADMIN_IDS).
    Id этого чата: <code>{ $chat }</code>.
chatid-group =
    Id этого чата: <code>{ $chat }</code>.
    Чтобы дайджесты и сигналы о критиках приходили сюда, впишите MANAGER_CHAT_ID={ $chat } и перезапустите бота.
chatid-managers =
    Id этого чата: <code>{ $chat }</code>.
    Это чат менеджеров (MANAGER_CHAT_ID): дайджесты и сигналы приходят сюда.
chatid-managers-moved =
    Id этого чата: <code>{ $chat }</code>.
    Это чат менеджеров: группа из MANAGER_CHAT_ID={ $old } стала этой супергруппой, дайджесты и сигналы приходят сюда. Впишите MANAGER_CHAT_ID={ $chat }, чтобы и настройка говорила то же.
chatid-added =
    Меня добавили в группу «{ $title }», ее id: <code>{ $chat }</code>.
    Если это чат менеджеров, впишите MANAGER_CHAT_ID={ $chat } и перезапустите бота.
chatid-added-current = Меня добавили в группу «{ $title }» (<code>{ $chat }</code>): это чат менеджеров из MANAGER_CHAT_ID, дайджесты и сигналы будут приходить туда.
