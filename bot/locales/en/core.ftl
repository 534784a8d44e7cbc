## Partner conversation (English)

q-score =
    <b>How likely are you to recommend our partner program to a colleague or friend?</b>

    Rate from 0 to 10: 0 — not at all likely, 10 — extremely likely.
    Tap a button or send a number.
q-score-chosen =
    <b>How likely are you to recommend our partner program to a colleague or friend?</b>

    Your score: <b>{ $score }</b>. You can pick another one until the survey is finished.
q-score-final =
    <b>How likely are you to recommend our partner program to a colleague or friend?</b>

    Your score: <b>{ $score }</b>.
q-comment-promoter = Thank you! What do you value most in our program? Write a few words or tap “Skip”.
q-comment-passive = Thank you! What would make you recommend us? Write a few words or tap “Skip”.
q-comment-improve = Thanks for being honest! What should we improve first? Write a few words or tap “Skip”.
q-drivers = Which areas influenced your score most? Pick one or more, then tap “Done”.
q-comment-saved = Comment saved: “{ $comment }”
q-comment-skipped = Question skipped.
q-drivers-chosen = Influenced by: { $areas }
q-drivers-none = No areas chosen.
thanks = Thank you! Your answer is saved — it really helps us make the program better. 🙌
thanks-referral = Since you would recommend us, here is your link to invite colleagues: { $url }

btn-skip = Skip
btn-done = Done
btn-yes-stop = Yes, unsubscribe
btn-yes-forget = Yes, delete my data
btn-no = No, cancel

area-support = Support quality
area-commission = Commission size
area-marketing = Marketing materials
area-portal = Partner portal and tools
area-payouts = Payout speed
area-communication = Communication
area-training = Training
area-other = Other

## bad input
bad-score = I need a whole number from 0 to 10. Tap a button under the question or send a number, e.g. “8”.
bad-score-buttons = Please pick a score with the buttons under the question (or send a number from 0 to 10).
bad-comment-type = I can only read text. Please write your answer or tap “Skip”.
bad-comment-long = That answer is too long: { $length } { $length ->
        [one] character
       *[other] characters
    }, the limit is { $max }. Please shorten it and send it again.
bad-drivers-text = Here, please choose areas with the buttons and tap “Done”.
bad-button = This button is no longer valid.
survey-closed = This survey is closed. Thank you!
survey-not-yours = This survey is not for you.
survey-already-done = You have already answered this question. To change your answer, send /survey.
survey-not-registered = Please press /start first.
survey-staff = You are an admin or manager, so you are not surveyed and your answers would not count. To take part as a partner too, send <code>/start partner</code>.
unknown-input = Sorry, I didn't understand that. To take the survey send /survey; /help lists all commands.
error-generic = Something went wrong. Please try again a bit later — your answers are saved.
error-staff = ⚠️ That command failed on the bot's side. The details are in the bot's log; try again in a minute, and if it fails again, tell whoever runs the bot.

## start, settings
start-welcome =
    Hello, { $name }! I am the partner program's bot: a couple of times a year I ask how working with us is going — it takes less than a minute.
    Take the survey now: /survey. All commands: /help.
start-linked = Done, your account is linked to partner “{ $partner }”.
start-bad-code = That invite link did not work: it is wrong or has already been used. Check the link or contact your manager.
start-resubscribed = You will receive surveys again.
start-staff =
    Hello, { $name }! You are an admin or manager of this bot, so you are not a partner: you are not surveyed and not counted in the figures, and I can now write to you here. Your commands: /help.
    To take part in surveys as a partner too, send <code>/start partner</code>.
start-opted-in = Done: you take part in surveys as a partner too and are counted in the figures.
help =
    What I can do:
    /survey — take the survey (1 minute)
    /language — change language (русский / English)
    /cancel — leave the survey (your answers are kept)
    /stop — stop receiving surveys
    /start — receive surveys again
    /forget_me — delete my data
help-admin =
    <b>Admin commands</b>
    /import — send a CSV file with this caption to import partners
    /partners — partners by segment and status
    /invite &lt;external_id&gt; — a partner's invite link
    /invites — CSV of every partner's invite link
    /newcampaign &lt;title&gt; [segment=a,b] [sample=10%|200] [force=yes] — a draft campaign
    /campaigns — campaigns and their figures
    /launch, /pause, /resume, /close, /remind &lt;id&gt; — steer a campaign
    /schedule — scheduled jobs and their next run
help-manager =
    <b>Manager commands</b> (admins, and anyone in the managers' chat)
    /nps [segment] — the current NPS
    /report [campaign_id] — the full report
    /digest — push the digest to the managers' chat
    /alerts — open detractor alerts
    /themes [campaign_id] — comment themes, tag unsure comments
    /export [xlsx] [campaign_id] — answers as CSV or XLSX
    /announce &lt;campaign_id&gt; — message a campaign's respondents
    /chatid — this chat's id (for ADMIN_IDS and MANAGER_CHAT_ID)
cancel-done = Survey left. What you already answered is saved. Continue any time with /survey.
cancel-other = Cancelled.
cancel-nothing = There is nothing to cancel.
stop-confirm = You will no longer receive surveys. Unsubscribe?
stop-done = Done, no more surveys. Changed your mind? Send /start.
stop-kept = Great, you stay with us.
forget-confirm =
    Delete your data?
    We will erase your name, username, your Telegram link and all your comments. Your scores remain only as anonymous figures in overall statistics. This cannot be undone.
forget-done = Your data has been deleted. Thank you for being with us.
forget-kept = Deletion cancelled, nothing changed.
forget-nothing = We have no data about you.
language-choose = Выберите язык / Choose your language:
language-set = Language: English.
confirm-stale = This question is no longer relevant.

## command menu
cmd-start = Start / receive surveys again
cmd-survey = Take the survey
cmd-language = Change language
cmd-stop = Stop receiving surveys
cmd-forget-me = Delete my data
cmd-cancel = Leave the survey
cmd-help = Help
cmd-partners = Partners by segment and status
cmd-import = Import partners from CSV
cmd-invite = A partner's invite link
cmd-invites = CSV of all partners' invite links
cmd-newcampaign = New campaign
cmd-campaigns = List campaigns
cmd-launch = Launch a campaign
cmd-pause = Pause a campaign
cmd-resume = Resume a campaign
cmd-close = Close a campaign
cmd-remind = Send the reminder now
cmd-announce = Message a campaign's respondents
cmd-schedule = Scheduled jobs
cmd-nps = Current NPS
cmd-report = Full report
cmd-digest = Push the digest to the managers' chat
cmd-alerts = Open detractor alerts
cmd-export = Export answers
