## Кампании, справочник партнеров, рассылка (админы; приглашения и напоминания — партнерам)

campaign-invite = 👋 Мы проводим короткий опрос партнеров — один вопрос, одно нажатие.
campaign-reminder = 🔔 Напоминаем об опросе: нам очень важен ваш ответ — это одно нажатие.
campaign-quarterly-title = Квартальный NPS { $period }

admin-only-button = ⛔ Эта команда доступна только администраторам программы. Ничего не изменено.
admin-only =
    ⛔ Эта команда доступна только администраторам программы. Ничего не изменено.
    Вы владелец бота? Отправьте /chatid, чтобы узнать свой Telegram id, добавьте его в <code>ADMIN_IDS</code> в настройках бота (.env) и перезапустите бота.

## прогресс запуска (сообщение редактируется)
camp-progress =
    🚀 Кампания #{ $id } «{ $title }» рассылается
    { $bar }
    Отправлено { $sent } из { $total } · заблокировали { $blocked } · ошибки { $failed }
    Скорость { $rate } сообщ./с · осталось { $eta }
camp-progress-paused =
    ⏸ Кампания #{ $id } «{ $title }» на паузе
    { $bar }
    Отправлено { $sent } из { $total } · заблокировали { $blocked } · ошибки { $failed }
    Продолжить: /resume { $id }
camp-progress-stopped =
    ⏹ Кампания #{ $id } «{ $title }»: { $status }
    { $bar }
    Отправлено { $sent } из { $total } · заблокировали { $blocked } · ошибки { $failed }
camp-progress-done =
    ✅ Кампания #{ $id } «{ $title }»: рассылка завершена
    Доставлено { $sent } из { $total } · заблокировали бота { $blocked } · ошибки { $failed }
    Ответы — в /campaigns.

camp-status-draft = черновик
camp-status-running = идет
camp-status-paused = на паузе
camp-status-closed = закрыта
camp-status-cancelled = отменена

## /newcampaign и другие
newcamp-usage =
    Формат: <code>/newcampaign Название [segment=a,b] [sample=10%|200] [force=yes]</code>
    • <code>segment</code> — только эти сегменты (через запятую){ $segments }
    • <code>sample</code> — случайная пилотная группа: процент или число партнеров
    • <code>force=yes</code> — включить тех, кто отвечал на опрос за последние { $days } дн.
    Пример: <code>/newcampaign Весенний опрос segment=gold sample=10%</code>
newcamp-known-segments = ; есть: { $segments }
newcamp-bad-arg = Не понял параметр <code>{ $arg }</code>.
newcamp-created =
    📝 Создан черновик кампании #{ $id } «{ $title }».
    Аудитория сейчас: <b>{ $audience }</b> { $audience ->
        [one] партнёр
        [few] партнёра
       *[many] партнёров
    }{ $filters }
    Запустите, посмотрите приглашение или отмените.
newcamp-too-long = Кампания не создана: ответ о ней занял бы { $length } { $length ->
        [one] символ
        [few] символа
       *[many] символов
    }, а Telegram принимает не больше { $limit } в одном сообщении — слишком длинный список сегментов. Укажите меньше сегментов или короче (в названии сегмента не больше 64 символов) и отправьте /newcampaign ещё раз.
newcamp-filter-segments = Сегменты: { $segments }
newcamp-filter-sample = Пилотная выборка: { $sample }
newcamp-filter-wave = Завершает волну пилота { $pilots }: приглашённых в пилот не спрашиваем второй раз, их ответы входят в цифру этой кампании.
newcamp-filter-force = Без правила усталости (force=yes)
btn-camp-launch = 🚀 Запустить
btn-camp-preview = 👁 Предпросмотр
btn-camp-cancel = ✖ Отменить

camp-usage = Формат: <code>/{ $command } &lt;номер кампании&gt;</code>. Номера — в /campaigns.
camp-err-unknown = Кампании #{ $id } нет. Список — /campaigns.
camp-err-not-draft = Кампания #{ $id } уже не черновик (статус: { $status }).
camp-err-not-running = Кампания #{ $id } сейчас не идет (статус: { $status }).
camp-err-not-paused = Кампания #{ $id } не на паузе (статус: { $status }).
camp-err-not-open = Кампания #{ $id } не идет и не на паузе (статус: { $status }).
camp-err-empty = В кампанию #{ $id } сейчас некого пригласить: нет доступных партнеров под условия (проверьте сегменты и правило усталости). Черновик сохранен.
camp-launched = 🚀 Кампания #{ $id } запущена на { $audience } партнеров.
camp-preview-sent = Предпросмотр отправлен.
camp-paused = ⏸ Кампания #{ $id } на паузе. Рассылка остановлена до /resume { $id }; ответы по-прежнему принимаются.
camp-resumed = ▶️ Кампания #{ $id } продолжается.
camp-closed = ⏹ Кампания #{ $id } закрыта. Неотправленных сообщений отменено: { $dropped }.
camp-cancelled = Черновик #{ $id } отменен.
camp-reminded = 🔔 Напоминание поставлено в очередь для { $count } партнеров кампании #{ $id }.
camp-remind-none = В кампании #{ $id } некому напоминать: все приглашенные ответили, уже получили напоминание или недоступны.

camps-empty = Кампаний пока нет. Создайте: /newcampaign
camps-title = <b>Кампании</b>
camps-line =
    <b>#{ $id } { $title }</b> — { $status }
    аудитория { $audience } · отправлено { $sent } · заблокировали { $blocked } · ошибки { $failed }
    ответили { $responded } ({ $rate } от доставленных) · NPS { $nps }

## справочник партнеров
partners-empty = Партнеров пока нет. Импортируйте их: пришлите CSV-файл с подписью /import.
partners-title = <b>Партнеры по сегментам</b> (всего { $total })
partners-segment = <b>{ $segment }</b>: { $total } — активны { $active }, не запускали бота { $notstarted }, отписались { $optedout }, заблокировали бота { $blocked }, удалены { $erased }
partners-no-segment = без сегмента

invite-usage = Формат: <code>/invite &lt;external_id&gt;</code>
invite-not-found = Партнера с external_id <code>{ $id }</code> нет.
invite-link = Ссылка-приглашение для { $name }: { $link }
invites-empty = Импортированных партнеров пока нет.
invites-caption = Ссылки-приглашения: { $count } { $count ->
        [one] партнёр
        [few] партнёра
       *[many] партнёров
    }.

## импорт
import-no-caption = Чтобы импортировать этот файл, пришлите его ещё раз с подписью /import (впишите /import в поле подписи при отправке файла). Ничего не импортировано.
import-usage = Пришлите CSV-файл документом с подписью /import. Партнеры: external_id (обязательно), name, segment, tier, geo, niche, monthly_revenue, telegram_id, username, language, joined_at, manager. Помесячные KPI: external_id, period (ГГГГ-ММ) и любые из revenue, payout, conversions, clicks, status.
import-download-failed = Не удалось скачать файл из Telegram, ничего не изменено. Пришлите его еще раз.
import-summary = 📥 Импорт завершен: создано { $created }, обновлено { $updated }, без изменений { $unchanged }, отклонено { $rejected }.
import-ignored-columns = Неизвестные колонки пропущены: { $columns }
import-rejected-title = Отклоненные строки:
import-rejected-line = строка { $line }{ $id }: { $reason }
import-rejected-attached = Отклоненные строки — в приложенном файле.
import-fatal = ❌ Импорт не выполнен, ничего не изменено: { $reason }
import-fatal-empty = файл пустой.
import-fatal-too-large = файл больше { $detail } МБ.
import-fatal-binary = это не текстовый CSV-файл.
import-fatal-not-csv = файл не читается как CSV (строка { $detail }).
import-fatal-unclosed-quote = кавычка, открытая в строке { $detail }, не закрыта до конца файла.
import-fatal-no-external-id = нет колонки external_id (найдены: { $detail }).
import-fatal-duplicate-column = колонки повторяются: { $detail }.
import-reason-missing-external-id = пустой external_id
import-reason-extra-cells = значений больше, чем колонок ({ $value })
import-reason-too-long-external-id = слишком длинный external_id
import-reason-too-long-name = слишком длинное имя (name)
import-reason-too-long-segment = слишком длинный segment
import-reason-too-long-tier = слишком длинный tier
import-reason-too-long-geo = слишком длинный geo
import-reason-too-long-niche = слишком длинная niche
import-reason-bad-telegram-id = telegram_id «{ $value }» — не id пользователя Telegram
import-reason-bad-revenue = monthly_revenue «{ $value }» — не сумма
import-reason-bad-language = language «{ $value }» — нужно ru или en
import-reason-bad-username = username «{ $value }» — не имя пользователя Telegram
import-reason-duplicate-external-id = external_id повторяет строку { $value }
import-reason-duplicate-telegram-id = telegram_id повторяет строку { $value }
import-reason-telegram-id-taken = telegram_id уже у другого партнера ({ $value })
import-reason-linked-elsewhere = партнер уже связан с аккаунтом Telegram { $value }
import-reason-conflict = партнера изменили во время импорта — пришлите файл еще раз
import-fatal-no-period = нет колонки period (есть: { $detail }).
import-reason-not-an-object = не JSON-объект
import-reason-bad-value = { $value }: нужна строка или число
import-reason-bad-joined-at = joined_at «{ $value }» — не дата (ГГГГ-ММ-ДД)
import-reason-bad-manager = manager «{ $value }» — не @username и не числовой id Telegram
import-reason-missing-period = не указан period
import-reason-bad-period = period «{ $value }» — не месяц ГГГГ-ММ от 2000-01 до 12 месяцев вперед
import-reason-bad-kpi-revenue = revenue «{ $value }» — не сумма (цифры, точка, не больше 2 знаков после нее, не отрицательная)
import-reason-bad-kpi-payout = payout «{ $value }» — не сумма (цифры, точка, не больше 2 знаков после нее, не отрицательная)
import-reason-bad-conversions = conversions «{ $value }» — не целое число ≥ 0
import-reason-bad-clicks = clicks «{ $value }» — не целое число ≥ 0
import-reason-bad-status = status «{ $value }» — не active, paused или churned
import-reason-unknown-partner = партнера с таким external_id нет (сначала импортируйте партнеров)
import-reason-duplicate-period = тот же партнер и период, что в строке { $value }

## /schedule
schedule-title = <b>Расписание</b> ({ $tz })
schedule-line = • { $name } — следующий запуск: { $next }
schedule-off = не запланировано
schedule-none = Запланированных задач нет.
schedule-unavailable = Планировщик не запущен.
job-campaign-reminders = Напоминания тем, кто не ответил
job-campaign-auto-close = Закрытие кампаний по сроку
job-campaign-quarterly = Квартальная кампания
