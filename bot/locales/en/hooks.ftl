# Outbound webhooks ("hooks"): /hooks, /hook_add, /hook_remove, /hook_test.
cmd-hooks = Webhook endpoints (signed events out)
cmd-hook-add = Add a webhook endpoint
cmd-hook-remove = Remove a webhook endpoint
cmd-hook-test = Send a test event to an endpoint
hooks-add-usage =
    Usage: <code>/hook_add https://crm.example.com/nps [events]</code>
    Events (all when none is named; <code>response.*</code> names a family): { $events }
hooks-bad-url = This URL cannot receive events: { $reason }.
hooks-bad-event =
    Unknown event “{ $name }”.
    Events: { $events }
hooks-exists = This URL is already an endpoint: see /hooks.
hooks-added =
    Endpoint #{ $id } added: { $url }
    Events: { $events }
    Signing secret (shown only now, keep it in your receiver):
    <code>{ $secret }</code>
    Every event carries the webhook-id, webhook-timestamp and webhook-signature headers (Standard Webhooks). /hook_test { $id } sends a test event.
hooks-none =
    No webhook endpoints yet. Add one: <code>/hook_add https://crm.example.com/nps [events]</code>
    Events: { $events }
hooks-title = <b>Webhook endpoints</b>
hooks-line =
    #{ $id } { $url }
    events: { $events } · secret { $secret } · from { $source }
    { $state }
    owed: { $pending } · delivered: { $delivered } · given up: { $failed }
hooks-state-ok = ✅ delivering
hooks-state-failing = ⚠️ failing since { $since }: { $error }
hooks-state-disabled = ⛔ disabled ({ $reason }); /hook_test turns it back on
hooks-unknown = No endpoint “{ $id }”: see /hooks.
hooks-removed = Endpoint #{ $id } removed, with the events it was still owed.
hooks-removed-file = Endpoint #{ $id } removed. It comes from HOOKS_FILE: remove it there too, or it returns at the next start.
hooks-test-queued = A test event ({ $msg_id }) is queued for endpoint #{ $id }; /hooks shows how it went.
hooks-test-queued-enabled = Endpoint #{ $id } is enabled again and a test event ({ $msg_id }) is queued; /hooks shows how it went.
hooks-alert-failing = ⚠️ Webhook endpoint #{ $id } ({ $host }) has failed for an hour: { $error }. Events are kept and retried for 3 days; see /hooks.
hooks-alert-disabled = ⛔ Webhook endpoint #{ $id } ({ $host }) answered 410 Gone and is disabled. Its events are kept; /hook_test { $id } turns it back on.
