## Campaigns, partner directory, sending (admins; invitations and reminders go to partners)

campaign-invite = 👋 We are running a short survey of our partners — one question, one tap.
campaign-reminder = 🔔 A gentle reminder: we would still love your answer — it takes one tap.
campaign-quarterly-title = Quarterly NPS { $period }

admin-only-button = ⛔ This command is for the programme's admins only. Nothing was changed.
admin-only =
    ⛔ This command is for the programme's admins only. Nothing was changed.
    Do you run this bot? Send /chatid to learn your Telegram id, add it to <code>ADMIN_IDS</code> in the bot's settings (.env) and restart the bot.

## launch progress (edited in place)
camp-progress =
    🚀 Campaign #{ $id } “{ $title }” is being sent
    { $bar }
    Sent { $sent } of { $total } · blocked { $blocked } · failed { $failed }
    Rate { $rate } msg/s · ETA { $eta }
camp-progress-paused =
    ⏸ Campaign #{ $id } “{ $title }” is paused
    { $bar }
    Sent { $sent } of { $total } · blocked { $blocked } · failed { $failed }
    /resume { $id } to continue.
camp-progress-stopped =
    ⏹ Campaign #{ $id } “{ $title }”: { $status }
    { $bar }
    Sent { $sent } of { $total } · blocked { $blocked } · failed { $failed }
camp-progress-done =
    ✅ Campaign #{ $id } “{ $title }”: sending finished
    Delivered { $sent } of { $total } · blocked the bot { $blocked } · failed { $failed }
    Follow the answers with /campaigns.

camp-status-draft = draft
camp-status-running = running
camp-status-paused = paused
camp-status-closed = closed
camp-status-cancelled = cancelled

## /newcampaign and friends
newcamp-usage =
    Usage: <code>/newcampaign Title [segment=a,b] [sample=10%|200] [force=yes]</code>
    • <code>segment</code> — only these segments (comma-separated){ $segments }
    • <code>sample</code> — a random pilot group: a percentage or a number of partners
    • <code>force=yes</code> — include partners who answered a survey in the last { $days } days
    Example: <code>/newcampaign Spring pulse segment=gold sample=10%</code>
newcamp-known-segments = ; known: { $segments }
newcamp-bad-arg = I did not understand <code>{ $arg }</code>.
newcamp-created =
    📝 Draft campaign #{ $id } “{ $title }” created.
    Audience now: <b>{ $audience }</b> { $audience ->
        [one] partner
       *[other] partners
    }{ $filters }
    Launch it, preview the invitation, or cancel.
newcamp-too-long = That campaign was not created: its reply would be { $length } characters, more than the { $limit } Telegram allows in one message — the segment list is too long. Name fewer or shorter segments (a segment name has at most 64 characters) and send /newcampaign again.
newcamp-filter-segments = Segments: { $segments }
newcamp-filter-sample = Pilot sample: { $sample }
newcamp-filter-wave = Completes the wave of pilot { $pilots }: partners the pilot invited are not asked again, and its answers count in this campaign's figure.
newcamp-filter-force = Fatigue rule off (force=yes)
btn-camp-launch = 🚀 Launch
btn-camp-preview = 👁 Preview
btn-camp-cancel = ✖ Cancel

camp-usage = Usage: <code>/{ $command } &lt;campaign id&gt;</code>. The ids are in /campaigns.
camp-err-unknown = There is no campaign #{ $id }. See /campaigns.
camp-err-not-draft = Campaign #{ $id } is not a draft (it is { $status }).
camp-err-not-running = Campaign #{ $id } is not running (it is { $status }).
camp-err-not-paused = Campaign #{ $id } is not paused (it is { $status }).
camp-err-not-open = Campaign #{ $id } is not running or paused (it is { $status }).
camp-err-empty = Nobody can be invited to campaign #{ $id } right now: no reachable partners match (see the fatigue rule and segments). The draft is kept.
camp-launched = 🚀 Campaign #{ $id } launched to { $audience } partners.
camp-preview-sent = Preview sent.
camp-paused = ⏸ Campaign #{ $id } paused. Nothing more is sent until /resume { $id }; answers are still accepted.
camp-resumed = ▶️ Campaign #{ $id } resumed.
camp-closed = ⏹ Campaign #{ $id } closed. Unsent messages dropped: { $dropped }.
camp-cancelled = Draft #{ $id } cancelled.
camp-reminded = 🔔 Reminder queued for { $count } partners of campaign #{ $id }.
camp-remind-none = Nobody to remind in campaign #{ $id }: everyone invited has answered, already got the reminder, or cannot be reached.

camps-empty = No campaigns yet. Create one with /newcampaign.
camps-title = <b>Campaigns</b>
camps-line =
    <b>#{ $id } { $title }</b> — { $status }
    audience { $audience } · sent { $sent } · blocked { $blocked } · failed { $failed }
    answered { $responded } ({ $rate } of delivered) · NPS { $nps }

## partner directory
partners-empty = No partners yet. Import them: send a CSV file with the caption /import.
partners-title = <b>Partners by segment</b> (total { $total })
partners-segment = <b>{ $segment }</b>: { $total } — active { $active }, not started { $notstarted }, opted out { $optedout }, blocked the bot { $blocked }, erased { $erased }
partners-no-segment = no segment

invite-usage = Usage: <code>/invite &lt;external_id&gt;</code>
invite-not-found = No partner with external_id <code>{ $id }</code>.
invite-link = Invite link for { $name }: { $link }
invites-empty = No imported partners yet.
invites-caption = Invite links of { $count } { $count ->
        [one] partner
       *[other] partners
    }.

## import
import-no-caption = To import this file, send it again with the caption /import (type /import in the caption field when attaching the file). Nothing was imported.
import-usage = Send the CSV file as a document with the caption /import. Partners: external_id (required), name, segment, tier, geo, niche, monthly_revenue, telegram_id, username, language, joined_at, manager. Monthly KPIs: external_id, period (YYYY-MM) and any of revenue, payout, conversions, clicks, status.
import-download-failed = Could not download the file from Telegram; nothing was changed. Please send it again.
import-summary = 📥 Import done: created { $created }, updated { $updated }, unchanged { $unchanged }, rejected { $rejected }.
import-ignored-columns = Unknown columns ignored: { $columns }
import-rejected-title = Rejected rows:
import-rejected-line = line { $line }{ $id }: { $reason }
import-rejected-attached = The rejected rows are in the attached file.
import-fatal = ❌ Import failed, nothing was changed: { $reason }
import-fatal-empty = the file is empty.
import-fatal-too-large = the file is larger than { $detail } MB.
import-fatal-binary = this is not a text CSV file.
import-fatal-not-csv = the file cannot be read as CSV (line { $detail }).
import-fatal-unclosed-quote = a quote opened on line { $detail } is never closed.
import-fatal-no-external-id = there is no external_id column (found: { $detail }).
import-fatal-duplicate-column = columns appear twice: { $detail }.
import-reason-missing-external-id = external_id is empty
import-reason-extra-cells = more values than columns ({ $value })
import-reason-too-long-external-id = external_id is too long
import-reason-too-long-name = name is too long
import-reason-too-long-segment = segment is too long
import-reason-too-long-tier = tier is too long
import-reason-too-long-geo = geo is too long
import-reason-too-long-niche = niche is too long
import-reason-bad-telegram-id = telegram_id “{ $value }” is not a Telegram user id
import-reason-bad-revenue = monthly_revenue “{ $value }” is not an amount
import-reason-bad-language = language “{ $value }” is not ru or en
import-reason-bad-username = username “{ $value }” is not a Telegram username
import-reason-duplicate-external-id = external_id repeats line { $value }
import-reason-duplicate-telegram-id = telegram_id repeats line { $value }
import-reason-telegram-id-taken = telegram_id belongs to another partner ({ $value })
import-reason-linked-elsewhere = the partner is already linked to Telegram account { $value }
import-reason-conflict = the partner changed during the import — send the file again
import-fatal-no-period = there is no period column (found: { $detail }).
import-reason-not-an-object = not a JSON object
import-reason-bad-value = { $value } must be a string or a number
import-reason-bad-joined-at = joined_at “{ $value }” is not a date (YYYY-MM-DD)
import-reason-bad-manager = manager “{ $value }” is not a Telegram @username or numeric id
import-reason-missing-period = period is empty
import-reason-bad-period = period “{ $value }” is not a month YYYY-MM from 2000-01 to 12 months ahead
import-reason-bad-kpi-revenue = revenue “{ $value }” is not an amount (digits, a dot, at most 2 decimals, not negative)
import-reason-bad-kpi-payout = payout “{ $value }” is not an amount (digits, a dot, at most 2 decimals, not negative)
import-reason-bad-conversions = conversions “{ $value }” is not a whole number ≥ 0
import-reason-bad-clicks = clicks “{ $value }” is not a whole number ≥ 0
import-reason-bad-status = status “{ $value }” is not active, paused or churned
import-reason-unknown-partner = no partner has this external_id (import partners first)
import-reason-duplicate-period = the same partner and period as line { $value }

## /schedule
schedule-title = <b>Scheduled jobs</b> ({ $tz })
schedule-line = • { $name } — next run: { $next }
schedule-off = not scheduled
schedule-none = No scheduled jobs.
schedule-unavailable = The scheduler is not running.
job-campaign-reminders = Reminders to non-responders
job-campaign-auto-close = Closing campaigns when their time is up
job-campaign-quarterly = Quarterly campaign
