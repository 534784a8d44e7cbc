# Comment themes: digest lines and the managers' /themes command.
dg-themes-of = <b>Темы комментариев</b> ({ $total } { $total ->
        [one] комментарий
        [few] комментария
       *[many] комментариев
    })
dg-themes-unclassified = • не распознано: { $count }
themes-none = Нет текущей кампании: комментариев пока нет.
themes-title = <b>Темы комментариев</b> «{ $title }» — { $total } { $total ->
        [one] комментарий
        [few] комментария
       *[many] комментариев
    }
themes-area = • { $area }: { $count }
themes-unclassified = Не распознано: { $count }
themes-pending = Ждут разметки: { $count } { $count ->
        [one] комментарий
        [few] комментария
       *[many] комментариев
    } (неуверенные догадки и «Другое» тоже)
themes-tagged = Размечено вручную: { $count }
themes-all-done = Все комментарии распознаны уверенно или размечены.
btn-themes-review = Разметить ({ $count })
themes-item = <b>Комментарий { $pos } из { $total }</b> · оценка { $score }
    
    { $text }
    
    Догадка: { $guess }
    Отметьте темы и нажмите «Готово».
themes-guess = { $areas } ({ $confidence }%)
themes-guess-none = нет
btn-themes-done = Готово
btn-themes-next = Дальше ▶
btn-themes-prev = ◀ Назад
themes-choose-one = Отметьте хотя бы одну тему (или «Другое»).
themes-saved = Сохранено: { $areas }
themes-gone = Этого комментария больше нет.
themes-page-empty = Дальше комментариев нет.
themes-bad-button = Кнопка устарела — отправьте /themes ещё раз.
themes-usage = Формат: /themes [номер кампании]
themes-unknown = Кампания #{ $id } не найдена.
cmd-themes = Темы комментариев и разметка
