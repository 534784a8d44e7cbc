# Исходящие вебхуки («хуки»): /hooks, /hook_add, /hook_remove, /hook_test.
cmd-hooks = Адреса вебхуков (подписанные события)
cmd-hook-add = Добавить адрес вебхука
cmd-hook-remove = Удалить адрес вебхука
cmd-hook-test = Отправить тестовое событие
hooks-add-usage =
    Формат: <code>/hook_add https://crm.example.com/nps [события]</code>
    События (все, если не указаны; <code>response.*</code> — целое семейство): { $events }
hooks-bad-url = На этот адрес нельзя отправлять события: { $reason }.
hooks-bad-event =
    Неизвестное событие «{ $name }».
    События: { $events }
hooks-exists = Этот адрес уже добавлен: см. /hooks.
hooks-added =
    Адрес #{ $id } добавлен: { $url }
    События: { $events }
    Секрет подписи (показывается только сейчас, сохраните его в приёмнике):
    <code>{ $secret }</code>
    Каждое событие несёт заголовки webhook-id, webhook-timestamp и webhook-signature (Standard Webhooks). /hook_test { $id } отправит тестовое событие.
hooks-none =
    Адресов вебхуков пока нет. Добавить: <code>/hook_add https://crm.example.com/nps [события]</code>
    События: { $events }
hooks-title = <b>Адреса вебхуков</b>
hooks-line =
    #{ $id } { $url }
    события: { $events } · секрет { $secret } · источник: { $source }
    { $state }
    в очереди: { $pending } · доставлено: { $delivered } · не доставлено: { $failed }
hooks-state-ok = ✅ доставка идёт
hooks-state-failing = ⚠️ ошибки с { $since }: { $error }
hooks-state-disabled = ⛔ отключён ({ $reason }); /hook_test включит снова
hooks-unknown = Адреса «{ $id }» нет: см. /hooks.
hooks-removed = Адрес #{ $id } удалён вместе с недоставленными ему событиями.
hooks-removed-file = Адрес #{ $id } удалён. Он задан в HOOKS_FILE: удалите его и там, иначе он вернётся при следующем запуске.
hooks-test-queued = Тестовое событие ({ $msg_id }) поставлено в очередь для адреса #{ $id }; результат — в /hooks.
hooks-test-queued-enabled = Адрес #{ $id } снова включён, тестовое событие ({ $msg_id }) в очереди; результат — в /hooks.
hooks-alert-failing = ⚠️ Вебхук #{ $id } ({ $host }) не принимает события уже час: { $error }. События сохранены и повторяются 3 дня; см. /hooks.
hooks-alert-disabled = ⛔ Вебхук #{ $id } ({ $host }) ответил 410 Gone и отключён. События сохранены; /hook_test { $id } включит его снова.
