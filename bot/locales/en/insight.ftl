## Managers' insight: digests, commands, detractor alerts, announcements, export (English)

mgr-refused-button = This button is for managers: admins and members of the managers' chat.
mgr-refused = This command is for managers: admins (<code>ADMIN_IDS</code>) and members of the managers' chat (<code>MANAGER_CHAT_ID</code>). /chatid shows the ids these settings want.

## digest
dg-title-campaign = 📊 <b>NPS: { $title }</b>
dg-title-closed = 📊 <b>Campaign closed: { $title }</b>
dg-title-weekly = 📊 <b>Weekly NPS digest</b> · { $date }
dg-campaign-running = Campaign #{ $id }, running since { $date }
dg-campaign-closed = Campaign #{ $id }, { $launched } — { $closed }
dg-campaign-ongoing = Ongoing feedback (partners write when they want to), campaign #{ $id }
dg-week-none = 📊 No new answers this week. Current NPS: <b>{ $nps }</b> («{ $title }», { $n } { $n ->
        [one] answer
       *[other] answers
    }).
dg-week-none-empty = 📊 No new answers this week, and no answers to report yet.
dg-week-activity = This week: { $n } { $n ->
        [one] new answer
       *[other] new answers
    }.
dg-nps = <b>NPS { $nps }</b>{ $margin } · { $n } { $n ->
        [one] answer
       *[other] answers
    }{ $few }
dg-no-answers = No answers yet.
dg-vs-campaign = vs «{ $title }»: <b>{ $delta }</b> — { $verdict }
dg-vs-quarter = { $quarter } vs { $previous }: <b>{ $delta }</b> — { $verdict }
dg-significant = a real change
dg-noise = within the margin of error
dg-too-few = too few answers to tell (fewer than { $min } on a side)
dg-few-answers = — too few answers for a margin of error (fewer than { $min })
dg-split = 🟢 promoters { $p }% · ⚪ passives { $s }% · 🔴 detractors { $d }%
dg-rates = Response rate <b>{ $rate }%</b> ({ $responded } of { $delivered } delivered) · comments { $comments }%
dg-rates-no-deliveries = Comments: { $comments }% of answers
dg-movers-title = <b>Segments that moved</b>
dg-mover-up = ▲ { $name }: { $now } ({ $delta }{ $mark })
dg-mover-down = ▼ { $name }: { $now } ({ $delta }{ $mark })
dg-mover-significant-mark = , real change
dg-dim-segment = <b>Segments</b>
dg-dim-tier = <b>Tiers</b>
dg-dim-geo = <b>Geo</b>
dg-dim-niche = <b>Niches</b>
dg-group = { $name } { $nps } ({ $n })
dg-group-other = other
dg-group-unset = not set
dg-groups-hidden = fewer than { $min } answers per group — not shown, so no answer can be traced to a partner
dg-drivers-title = <b>What drove the score</b>
dg-driver = • { $area }: { $share }% of answers, NPS { $nps }
dg-driver-small = • { $area }: { $count } { $count ->
        [one] answer
       *[other] answers
    }
dg-themes-title = <b>Comment themes</b> (latest { $sample } of { $total } comments)
dg-theme = • { $area } — { $share }%
dg-phrases = Frequent phrases: { $phrases }
dg-movement-title = <b>Movement since «{ $title }»</b> ({ $both } { $both ->
        [one] partner answered
       *[other] partners answered
    } both)
dg-movement-counts = Promoter → detractor: <b>{ $down }</b> · detractor → promoter: <b>{ $up }</b>
dg-movement-down = 🔻 { $names }
dg-movement-up = 🔺 { $names }
dg-more = and { $n } more
dg-revenue-title = <b>Revenue</b> (monthly, known for { $n } answering partners)
dg-revenue-shares = Share: promoters { $p }% · passives { $s }% · detractors { $d }%
dg-revenue-avg = Average per partner: promoter { $p } · passive { $s } · detractor { $d }
dg-revenue-risk = ⚠️ Revenue at risk (detractors): <b>{ $amount }</b> a month
dg-quotes-title = <b>In their words</b>
dg-quote-detractor = 🔴 { $score }: «{ $text }» — { $who }
dg-quote-promoter = 🟢 { $score }: «{ $text }» — { $who }
dg-quote-detractor-anon = 🔴 { $score }: «{ $text }»
dg-quote-promoter-anon = 🟢 { $score }: «{ $text }»
dg-erased = a partner who deleted their data
dg-partner-id = partner #{ $id }
dg-chart-title = NPS by campaign
dg-chart-nps = NPS ± margin of error
dg-chart-split = Share of answers, %
dg-chart-promoters = Promoters
dg-chart-passives = Passives
dg-chart-detractors = Detractors

## /nps, /report, /digest
nps-none = No answers yet — there is no NPS to show.
nps-current = Current NPS («{ $title }»): <b>{ $nps }</b>{ $margin } · { $n } { $n ->
        [one] answer
       *[other] answers
    }{ $few }
nps-current-segment = Current NPS of segment «{ $segment }» («{ $title }»): <b>{ $nps }</b>{ $margin } · { $n } { $n ->
        [one] answer
       *[other] answers
    }{ $few }
nps-vs = vs «{ $title }»: { $delta } — { $verdict }
nps-segment-small = Segment «{ $segment }» has { $n } answers in «{ $title }» — fewer than { $min }, so the figure is not shown: it could be traced to partners.
report-usage = Usage: /report [campaign id]
report-unknown = Campaign #{ $id } not found. /campaigns lists them.
report-empty = Nothing to report yet: no answers.
digest-no-chat = MANAGER_CHAT_ID is not set, so there is no managers' chat to send the digest to. /report shows it here.
digest-sent = Digest sent to the managers' chat.
digest-failed = Could not send the digest to the managers' chat: { $error }

## detractor alerts
al-title = 🔴 <b>Detractor: { $score }/10</b> · { $campaign }
al-partner = Partner: { $who }
al-profile = Segment: { $segment } · tier: { $tier }
al-comment = Comment: «{ $comment }»
al-no-comment = No comment.
al-drivers = Drivers: { $areas }
al-unfinished = <i>Stopped after the score.</i>
al-none = —
al-btn-reply = ✉️ Reply
al-btn-resolve = ✅ Resolved
al-resolved = ✅ Resolved by { $who } at { $time }
al-reply-prompt = { $manager }, write your message to { $partner } as your next message in this chat. /cancel — don't send.
al-reply-cancelled = Reply cancelled.
al-reply-text-only = Only text can be relayed. Send text, or /cancel.
al-relayed = ✓ Sent to the partner. Their answers will appear here as replies to the alert.
al-relay-failed = Could not deliver the message: the partner blocked the bot or cannot be reached.
al-relay-partial = Only partly delivered: { $sent } of { $total } parts reached the partner, Telegram refused the rest.
al-partner-gone = The partner deleted their data or never linked Telegram: there is no one to write to.
al-already-resolved = This alert is already resolved.
al-not-found = This alert no longer exists.
al-to-partner =
    💬 <b>Message from the partner program team</b>

    { $text }

    <i>Just reply in this chat — the team will read it.</i>
al-from-partner =
    💬 <b>Partner's answer</b> ({ $who }):
    { $text }
al-partner-ack = ✓ Passed on to the team.
al-partner-relay-failed = Your message did not reach the team just now (Telegram did not accept it). It is saved; please send it again in a minute.
al-partner-text-only = Please write text — I can only pass text on to the team.
alerts-none = No open alerts. 🎉
alerts-title = <b>Open alerts</b> ({ $n }):
alerts-item = • { $score }/10 — { $who } · { $date } · { $link }
alerts-item-nolink = • { $score }/10 — { $who } · { $date }
alerts-link = open
alerts-more = …and { $n } more

## /announce
an-usage = Usage: /announce &lt;campaign id&gt; — then send the message text.
an-unknown = Campaign #{ $id } not found.
an-no-respondents = Campaign #{ $id } has no respondents who can receive messages.
an-prompt = Write the message for { $n } respondents of «{ $title }» as your next message. /cancel — don't send.
an-text-only = Only a text message can be announced. Send text, or /cancel.
an-too-long = That message is too long ({ $length } characters, the limit is { $max }).
an-cancelled = Announcement cancelled.
an-queued = 📣 Announcement #{ $id } queued for { $n } partners; it goes out through the rate-limited sender.
an-sender-missing = The sending engine is not available, so nothing was queued.

## /export
ex-usage = Usage: /export [xlsx] [campaign id | kpis] — CSV by default; kpis: every campaign's churn and revenue by NPS category.
ex-caption-kpis = Retention by NPS category: { $campaigns } campaigns.
cli-export-kpis-done = Exported the retention table of { $campaigns } campaigns to { $file }
ex-unknown = Campaign #{ $id } not found.
ex-caption = Answers export: { $rows } { $rows ->
        [one] row
       *[other] rows
    }.
ex-caption-campaign = Answers of «{ $title }»: { $rows } { $rows ->
        [one] row
       *[other] rows
    }.
cli-export-done = Exported { $rows } { $rows ->
        [one] row
       *[other] rows
    } to { $file }
cli-export-bad-format = Cannot export to { $file }: the file name must end in .csv or .xlsx
job-digest-weekly = Weekly NPS digest to the managers' chat
job-digest-detractor-alerts = Detractor alerts for partners who stopped after the score
job-journal-prune = Deleting handled updates from the journal

## What it's worth (KPIs)
dg-worth-title = <b>What it's worth</b>
dg-worth-pending = «{ $title }»: its 3-month window is complete in { $months } month(s).
dg-worth-churn = Churn in the 3 months after «{ $title }» ({ $month }): promoters { $p } · passives { $s } · detractors { $d }
dg-worth-diff-significant = Detractors churned { $points } pp more than promoters (significant at 95%).
dg-worth-diff-not-significant = Detractors vs promoters: { $points } pp (not significant at 95%).
dg-worth-revenue = Revenue 3 months before → after: promoters { $pb } → { $pa } · passives { $sb } → { $sa } · detractors { $db } → { $da }
dg-worth-key = Key partners ({ $n }, 80% of revenue): NPS <b>{ $nps }</b> (n={ $answers })
dg-worth-key-few = Key partners ({ $n }, 80% of revenue): too few answers for an NPS (n={ $answers })
dg-worth-risk = ⚠️ Revenue at risk: <b>{ $amount }</b> over the last 3 months from this campaign's detractors
al-key-partner = ⭐ <b>Key partner</b> (top 80% of revenue) · manager: { $manager }
alerts-key = ⭐
dg-chart-churn = Churn within 3 months after «{ $title }» ({ $month })

# the managers' dashboard (Mini App)
dash-open = 📊 Open the dashboard
dash-menu = Dashboard
dash-here = NPS dashboard: figures, groups, comments and alerts.
dash-off = The dashboard is off: set PUBLIC_URL (the bot's public https address) and MINIAPP_NAME; the README's "Dashboard in Telegram" section has the steps.
dash-no-name = In a group the dashboard opens through the Mini App's link: create it with @BotFather (/newapp) and set MINIAPP_NAME. In a private chat with the bot /dashboard works as is.
cmd-dashboard = NPS dashboard
