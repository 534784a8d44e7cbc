## Аналитика для менеджеров: дайджесты, команды, алерты о критиках, объявления, выгрузка (русский)

mgr-refused-button = Эта кнопка для менеджеров: администраторов и участников чата менеджеров.
mgr-refused = Эта команда для менеджеров: администраторов (<code>ADMIN_IDS</code>) и участников чата менеджеров (<code>MANAGER_CHAT_ID</code>). Нужные этим настройкам id покажет /chatid.

## дайджест
dg-title-campaign = 📊 <b>NPS: { $title }</b>
dg-title-closed = 📊 <b>Кампания завершена: { $title }</b>
dg-title-weekly = 📊 <b>Еженедельный дайджест NPS</b> · { $date }
dg-campaign-running = Кампания #{ $id }, идет с { $date }
dg-campaign-closed = Кампания #{ $id }, { $launched } — { $closed }
dg-campaign-ongoing = Постоянная обратная связь (партнеры пишут, когда хотят), кампания #{ $id }
dg-week-none = 📊 За неделю новых ответов нет. Текущий NPS: <b>{ $nps }</b> («{ $title }», { $n } { $n ->
        [one] ответ
        [few] ответа
       *[many] ответов
    }).
dg-week-none-empty = 📊 За неделю новых ответов нет, и пока не о чем докладывать.
dg-week-activity = За неделю { $n } { $n ->
        [one] новый ответ
        [few] новых ответа
       *[many] новых ответов
    }.
dg-nps = <b>NPS { $nps }</b>{ $margin } · { $n } { $n ->
        [one] ответ
        [few] ответа
       *[many] ответов
    }{ $few }
dg-no-answers = Ответов пока нет.
dg-vs-campaign = к «{ $title }»: <b>{ $delta }</b> — { $verdict }
dg-vs-quarter = { $quarter } к { $previous }: <b>{ $delta }</b> — { $verdict }
dg-significant = значимое изменение
dg-noise = в пределах погрешности
dg-too-few = слишком мало ответов, чтобы судить (меньше { $min } с одной из сторон)
dg-few-answers = — слишком мало ответов, чтобы оценить погрешность (меньше { $min })
dg-split = 🟢 промоутеры { $p }% · ⚪ нейтралы { $s }% · 🔴 критики { $d }%
dg-rates = Отклик <b>{ $rate }%</b> ({ $responded } из { $delivered } доставленных) · с комментарием { $comments }%
dg-rates-no-deliveries = С комментарием: { $comments }% ответов
dg-movers-title = <b>Сегменты в движении</b>
dg-mover-up = ▲ { $name }: { $now } ({ $delta }{ $mark })
dg-mover-down = ▼ { $name }: { $now } ({ $delta }{ $mark })
dg-mover-significant-mark = , значимо
dg-dim-segment = <b>Сегменты</b>
dg-dim-tier = <b>Уровни</b>
dg-dim-geo = <b>География</b>
dg-dim-niche = <b>Ниши</b>
dg-group = { $name } { $nps } ({ $n })
dg-group-other = прочие
dg-group-unset = не указано
dg-groups-hidden = в группах меньше { $min } ответов — не показываем, чтобы ответ нельзя было связать с партнером
dg-drivers-title = <b>Что повлияло на оценку</b>
dg-driver = • { $area }: { $share }% ответов, NPS { $nps }
dg-driver-small = • { $area }: { $count } { $count ->
        [one] ответ
        [few] ответа
       *[many] ответов
    }
dg-themes-title = <b>Темы комментариев</b> (последние { $sample } из { $total })
dg-theme = • { $area } — { $share }%
dg-phrases = Частые фразы: { $phrases }
dg-movement-title = <b>Движение с «{ $title }»</b> ({ $both } { $both ->
        [one] партнёр ответил
        [few] партнёра ответили
       *[many] партнёров ответили
    } оба раза)
dg-movement-counts = Промоутер → критик: <b>{ $down }</b> · критик → промоутер: <b>{ $up }</b>
dg-movement-down = 🔻 { $names }
dg-movement-up = 🔺 { $names }
dg-more = и еще { $n }
dg-revenue-title = <b>Выручка</b> (в месяц, известна у { $n } ответивших партнеров)
dg-revenue-shares = Доля: промоутеры { $p }% · нейтралы { $s }% · критики { $d }%
dg-revenue-avg = В среднем на партнера: промоутер { $p } · нейтрал { $s } · критик { $d }
dg-revenue-risk = ⚠️ Выручка под риском (критики): <b>{ $amount }</b> в месяц
dg-quotes-title = <b>Своими словами</b>
dg-quote-detractor = 🔴 { $score }: «{ $text }» — { $who }
dg-quote-promoter = 🟢 { $score }: «{ $text }» — { $who }
dg-quote-detractor-anon = 🔴 { $score }: «{ $text }»
dg-quote-promoter-anon = 🟢 { $score }: «{ $text }»
dg-erased = партнер, удаливший свои данные
dg-partner-id = партнер #{ $id }
dg-chart-title = NPS по кампаниям
dg-chart-nps = NPS ± погрешность
dg-chart-split = Доля ответов, %
dg-chart-promoters = Промоутеры
dg-chart-passives = Нейтралы
dg-chart-detractors = Критики

## /nps, /report, /digest
nps-none = Ответов пока нет — показывать нечего.
nps-current = Текущий NPS («{ $title }»): <b>{ $nps }</b>{ $margin } · { $n } { $n ->
        [one] ответ
        [few] ответа
       *[many] ответов
    }{ $few }
nps-current-segment = Текущий NPS сегмента «{ $segment }» («{ $title }»): <b>{ $nps }</b>{ $margin } · { $n } { $n ->
        [one] ответ
        [few] ответа
       *[many] ответов
    }{ $few }
nps-vs = к «{ $title }»: { $delta } — { $verdict }
nps-segment-small = В сегменте «{ $segment }» ответов в «{ $title }»: { $n } — меньше { $min }, поэтому цифру не показываем: ее можно связать с партнерами.
report-usage = Формат: /report [номер кампании]
report-unknown = Кампания #{ $id } не найдена. Список — /campaigns.
report-empty = Докладывать пока нечего: ответов нет.
digest-no-chat = MANAGER_CHAT_ID не задан — некуда отправить дайджест. /report покажет его здесь.
digest-sent = Дайджест отправлен в чат менеджеров.
digest-failed = Не удалось отправить дайджест в чат менеджеров: { $error }

## алерты о критиках
al-title = 🔴 <b>Критик: { $score }/10</b> · { $campaign }
al-partner = Партнер: { $who }
al-profile = Сегмент: { $segment } · уровень: { $tier }
al-comment = Комментарий: «{ $comment }»
al-no-comment = Без комментария.
al-drivers = Повлияло: { $areas }
al-unfinished = <i>Остановился после оценки.</i>
al-none = —
al-btn-reply = ✉️ Ответить
al-btn-resolve = ✅ Решено
al-resolved = ✅ Решено: { $who }, { $time }
al-reply-prompt = { $manager }, напишите сообщение для { $partner } следующим сообщением в этом чате. /cancel — не отправлять.
al-reply-cancelled = Ответ отменен.
al-reply-text-only = Переслать можно только текст. Пришлите текст или /cancel.
al-relayed = ✓ Отправлено партнеру. Его ответы появятся здесь ответом на алерт.
al-relay-failed = Не удалось доставить сообщение: партнер заблокировал бота или недоступен.
al-relay-partial = Доставлено не полностью: партнеру ушло частей { $sent } из { $total }, остальные Telegram не принял.
al-partner-gone = Партнер удалил свои данные или не подключал Telegram — написать некому.
al-already-resolved = Этот алерт уже решен.
al-not-found = Этого алерта больше нет.
al-to-partner =
    💬 <b>Сообщение от команды партнерской программы</b>

    { $text }

    <i>Просто ответьте в этот чат — команда прочитает.</i>
al-from-partner =
    💬 <b>Ответ партнера</b> ({ $who }):
    { $text }
al-partner-ack = ✓ Передали команде.
al-partner-relay-failed = Сейчас не получилось передать сообщение команде (Telegram его не принял). Мы его сохранили; пожалуйста, отправьте его еще раз через минуту.
al-partner-text-only = Пожалуйста, напишите текстом — команде я могу передать только текст.
alerts-none = Открытых алертов нет. 🎉
alerts-title = <b>Открытые алерты</b> ({ $n }):
alerts-item = • { $score }/10 — { $who } · { $date } · { $link }
alerts-item-nolink = • { $score }/10 — { $who } · { $date }
alerts-link = открыть
alerts-more = …и еще { $n }

## /announce
an-usage = Формат: /announce &lt;номер кампании&gt; — затем пришлите текст сообщения.
an-unknown = Кампания #{ $id } не найдена.
an-no-respondents = У кампании #{ $id } нет ответивших, которым можно написать.
an-prompt = Напишите следующим сообщением текст для { $n } ответивших в «{ $title }». /cancel — не отправлять.
an-text-only = Разослать можно только текст. Пришлите текст или /cancel.
an-too-long = Сообщение слишком длинное ({ $length } { $length ->
        [one] символ
        [few] символа
       *[many] символов
    }, максимум { $max }).
an-cancelled = Объявление отменено.
an-queued = 📣 Объявление #{ $id } поставлено в очередь для { $n } партнеров; оно уйдет через отправщик с ограничением скорости.
an-sender-missing = Отправщик недоступен, поэтому ничего не поставлено в очередь.

## /export
ex-usage = Формат: /export [xlsx] [номер кампании | kpis] — по умолчанию CSV; kpis: отток и выручка по категориям NPS для каждой кампании.
ex-caption-kpis = Удержание по категориям NPS: кампаний — { $campaigns }.
cli-export-kpis-done = Таблица удержания { $campaigns } кампаний выгружена в { $file }
ex-unknown = Кампания #{ $id } не найдена.
ex-caption = Выгрузка ответов: { $rows } { $rows ->
        [one] строка
        [few] строки
       *[many] строк
    }.
ex-caption-campaign = Ответы «{ $title }»: { $rows } { $rows ->
        [one] строка
        [few] строки
       *[many] строк
    }.
cli-export-done = Выгружено: { $rows } { $rows ->
        [one] строка
        [few] строки
       *[many] строк
    } → { $file }
cli-export-bad-format = Не могу выгрузить в { $file }: имя файла должно оканчиваться на .csv или .xlsx
job-digest-weekly = Еженедельный дайджест NPS в чат менеджеров
job-digest-detractor-alerts = Алерты о критиках, остановившихся после оценки
job-journal-prune = Удаление обработанных обновлений из журнала

## What it's worth (KPIs)
dg-worth-title = <b>Чего это стоит</b>
dg-worth-pending = «{ $title }»: окно в 3 месяца закроется через { $months } мес.
dg-worth-churn = Отток за 3 месяца после «{ $title }» ({ $month }): промоутеры { $p } · нейтралы { $s } · критики { $d }
dg-worth-diff-significant = Критики уходили на { $points } п.п. чаще промоутеров (значимо на уровне 95%).
dg-worth-diff-not-significant = Критики против промоутеров: { $points } п.п. (не значимо на уровне 95%).
dg-worth-revenue = Выручка за 3 месяца до → после: промоутеры { $pb } → { $pa } · нейтралы { $sb } → { $sa } · критики { $db } → { $da }
dg-worth-key = Ключевые партнеры ({ $n }, 80% выручки): NPS <b>{ $nps }</b> (n={ $answers })
dg-worth-key-few = Ключевые партнеры ({ $n }, 80% выручки): слишком мало ответов для NPS (n={ $answers })
dg-worth-risk = ⚠️ Выручка под риском: <b>{ $amount }</b> за последние 3 месяца у критиков этой кампании
al-key-partner = ⭐ <b>Ключевой партнер</b> (80% выручки) · менеджер: { $manager }
alerts-key = ⭐
dg-chart-churn = Отток за 3 месяца после «{ $title }» ({ $month })

# the managers' dashboard (Mini App)
dash-open = 📊 Открыть дашборд
dash-menu = Дашборд
dash-here = Дашборд NPS: цифры, группы, комментарии и сигналы.
dash-off = Дашборд выключен: задайте PUBLIC_URL (публичный https-адрес бота) и MINIAPP_NAME — шаги в README, раздел «Дашборд в Telegram».
dash-no-name = В группе дашборд открывается по ссылке Mini App: создайте ее в @BotFather (/newapp) и задайте MINIAPP_NAME. В личном чате с ботом /dashboard работает и так.
cmd-dashboard = Дашборд NPS
