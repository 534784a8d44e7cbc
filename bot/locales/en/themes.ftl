# Comment themes: digest lines and the managers' /themes command.
dg-themes-of = <b>Comment themes</b> ({ $total } { $total ->
        [one] comment
       *[other] comments
    })
dg-themes-unclassified = • unclassified: { $count }
themes-none = No current campaign: no comments yet.
themes-title = <b>Comment themes</b> “{ $title }” — { $total } { $total ->
        [one] comment
       *[other] comments
    }
themes-area = • { $area }: { $count }
themes-unclassified = Unclassified: { $count }
themes-pending = Waiting for a person to tag: { $count } { $count ->
        [one] comment
       *[other] comments
    } (unsure guesses and “Other” included)
themes-tagged = Tagged by a person: { $count }
themes-all-done = Every comment is classified with confidence or tagged.
btn-themes-review = Tag ({ $count })
themes-item = <b>Comment { $pos } of { $total }</b> · score { $score }
    
    { $text }
    
    Guess: { $guess }
    Mark the themes and press Done.
themes-guess = { $areas } ({ $confidence }%)
themes-guess-none = none
btn-themes-done = Done
btn-themes-next = Next ▶
btn-themes-prev = ◀ Back
themes-choose-one = Mark at least one theme (or “Other”).
themes-saved = Saved: { $areas }
themes-gone = This comment is no longer there.
themes-page-empty = No more comments.
themes-bad-button = This button is outdated — send /themes again.
themes-usage = Usage: /themes [campaign number]
themes-unknown = Campaign #{ $id } not found.
cmd-themes = Comment themes and tagging
