"""Keyword lexicon for the comment theme classifier (``storage.analytics.themes``).

Layout: ``LEXICON[area][lang]`` has ``strong`` (weight 2) and ``weak`` (weight 1) patterns.

Pattern syntax (matched after normalisation: lower case, ``ё`` -> ``е``, repeated letters collapsed):

* ``word``   - the token, its Russian lemma or its English singular equals ``word``;
* ``word*``  - the token or its lemma starts with ``word`` (a stem; typo-tolerant when 6+ letters);
* ``a* b``   - a phrase: consecutive tokens (one extra token may sit between words). Phrases are matched
  before single words and consume their tokens, so ``комиссия за вывод`` counts as a payout,
  not as commission.

``NEUTRAL`` phrases consume their tokens without naming any area (``conversion rate`` is not
a commission rate). Languages are only a way to keep the lists readable: every pattern is tried
on every comment, since partners mix scripts ("вывод на USDT", "API отдаёт 500").
"""

from typing import Final

Patterns = dict[str, tuple[str, ...]]

LEXICON: Final[dict[str, dict[str, Patterns]]] = {
    "support": {
        "ru": {
            "strong": (
                "поддержк*", "техподдерж*", "саппорт*", "сапорт*", "суппорт*", "тикет*",
                "хелпдеск*", "хэлпдеск*", "техпод*", "тп", "тпшк*", "сапп*", "суппот*",
            ),
            "weak": ("отвеча*", "ответ", "ответить", "оператор*", "обращени*", "решить вопрос", "чат"),
        },
        "en": {
            "strong": (
                "support*", "helpdesk*", "help desk", "ticket*", "customer service", "tech team",
                "response time*", "live chat", "customer care", "support team*", "supp", "supprot*",
            ),
            "weak": (
                "reply", "replies", "replied", "respond*", "respons*", "answer*", "resolv*", "solved",
                "agent*",
            ),
        },
    },
    "commission": {
        "ru": {
            "strong": (
                "комис*", "ставк*", "ревшар*", "рев шар*", "вознагражд*", "мало платить",
                "платить мало", "платить больше", "больше платить", "процент* отчисл*", "рейт", "рейты",
                "рейта", "выплат* за депозит*", "выплат* за фтд", "выплат* за лид*", "за фтд", "за депозит*",
                "за деп", "за депы", "за лида", "за инсталл*", "фикс за*",
            ),
            "weak": ("процент*", "тариф*", "бонус*", "апрув*", "заработ*", "доход*", "профит*"),
        },
        "en": {
            "strong": (
                "commission*", "comision*", "rate", "revshare*", "rev share*", "revenue share*",
                "cpa", "cpl", "cps", "payout rate*", "payout amount*", "pay more", "pay better",
                "pay so little", "underpa*", "payout* per*",
                "payout* for ftd*", "per ftd*", "per deposit*", "per lead*", "per sale*", "per signup*",
                "per install*", "cpi",
            ),
            "weak": (
                "percent*", "bonus*", "earning*", "margin*", "approval*", "approve rate*", "bid*", "epc",
                "bounty", "rs",
            ),
        },
    },
    "marketing": {
        "ru": {
            "strong": (
                "креатив*", "баннер*", "банер*", "лендинг*", "ленд", "ленды", "лендос*", "прелендинг*",
                "прелэнд*", "преленд*", "прокла*", "промо", "промокод*", "промо код*", "промоматериал*",
                "промо материал*", "промоакци*", "маркетинг*", "рекламн* материал*", "тизер*", "креос*",
                "креатос*", "крео", "прела", "прелы", "прел", "прелок*", "промик*", "промк*", "вайт пейдж*",
            ),
            "weak": ("материал*", "реклам*", "дизайн*", "макет*", "визуал*", "видеокреатив*"),
        },
        "en": {
            "strong": (
                "creative*", "banner*", "landing*", "lander*", "prelander*", "promo*", "coupon*",
                "creo", "creos", "lp", "lps", "prelp*", "pre lander*", "white page*",
                "marketing", "ad copy", "ad material*",
            ),
            "weak": ("material*", "asset*", "design*", "mockup*", "brand*", "visual*", "teaser*", "gif*"),
        },
    },
    "portal": {
        "ru": {
            "strong": (
                "личн* кабинет*", "кабинет*", "лк", "статистик*", "стата", "стату", "статы", "статка",
                "статке", "трек*", "постбэк*", "постбек*", "ссылк*", "рефк*", "рефссылк*", "сабайди*",
                "саб айди*", "дашборд*", "интерфейс*", "api", "апи", "портал*", "пиксел*", "админк*",
                "смартлинк*", "пб", "кабе", "каба", "кабу", "статк*",
                "диплинк*",
            ),
            "weak": (
                "клик*", "отчет*", "выгрузк*", "фильтр*", "панел*", "платформ*", "баг*", "глюч*",
                "тормоз*", "лагат*", "лага*", "авторизац*", "пароль", "отображ*", "обновля*",
            ),
        },
        "en": {
            "strong": (
                "dashboard*", "portal*", "stats", "stat", "statistic*", "tracking", "tracker*",
                "postback*", "s2s", "subid*", "sub id*", "api", "interface*", "rate limit*", "pixel*",
                "tracking link*", "affiliate link*", "referral link*", "smartlink*", "deeplink*",
                "admin panel*",
            ),
            "weak": (
                "link", "track", "tracked", "click*", "report*", "analytics", "ui", "ux", "panel*",
                "platform*", "login*", "logout*", "logged", "logging", "log in", "bug*", "glitch*",
                "lag", "lags", "lagging", "laggy", "export*", "csv", "2fa",
            ),
        },
    },
    "payouts": {
        "ru": {
            "strong": (
                "выплат*", "выплач*", "вывод*", "вывести", "выводить", "холд*", "usdt", "юсдт", "платеж*",
                "минималк*", "минимальн* сумм*", "кэшаут*", "кешаут*", "кэш", "кеш", "кэша",
                "бабос*", "деньги прийти", "комис* за вывод*",
                "комис* на вывод*", "комис* банк*", "комис* за перевод*", "net 30",
            ),
            "weak": (
                "деньг*", "бабк*", "бабл*", "оплат*", "перевод*", "карта", "крипт*", "кошел*", "зачисл*",
                "перечисл*", "платить", "заплатить", "капуст*", "лаве", "реквизит*", "вебмани*",
                "капиталист*",
            ),
        },
        "en": {
            "strong": (
                "payout*", "payment*", "withdraw*", "cashout*", "cash out", "cash-out",
                "got paid", "get paid", "paid on time", "net 30",
                "net30", "net 15", "net 7", "hold period*", "usdt", "paypal", "payoneer",
                "withdrawal fee*", "transfer fee*", "bank fee*", "minimum payout*", "payday", "late payment*",
            ),
            "weak": (
                "paid", "pay", "hold", "holds", "wire", "crypto*", "wallet*", "money", "cash*",
                "invoice*", "bank*", "transfer*", "pending", "btc", "bitcoin", "tether", "trc20", "swift",
                "sepa",
                "skrill", "webmoney", "capitalist",
            ),
        },
    },
    "communication": {
        "ru": {
            "strong": (
                "менеджер*", "манагер*", "куратор*", "рассылк*", "новост*", "общени*",
                "коммуникац*", "обратн* связ*", "не предупредить",
            ),
            "weak": (
                "связ*", "уведом*", "предупрежд*", "анонс*", "информир*", "телег*", "канал*", "личк*",
                "спам*", "фидбек*", "писать", "сообщени*", "созвон*", "скайп*", "whatsapp",
            ),
        },
        "en": {
            "strong": (
                "manager*", "account manager*", "affiliate manager*", "newsletter*", "news",
                "communicat*", "heads up", "nobody told", "no one told", "my am", "our am",
            ),
            "weak": (
                "announce*", "contact*", "notif*", "inform*", "email*", "e mail*", "update*", "in advance",
                "ghost*", "reach", "told", "telegram", "spam*", "feedback", "without notice", "call", "calls",
                "skype", "slack",
            ),
        },
    },
    "training": {
        "ru": {
            "strong": (
                "вебинар*", "обучени*", "обуча*", "обучалк*", "гайд*", "мануал*", "инструкци*",
                "документаци*", "доки", "доку", "туториал*", "онбординг*", "база знаний", "faq",
                "видеоурок*", "курсы", "вебы", "вебов",
            ),
            "weak": (
                "курс*", "кейс*", "вики", "описан*", "объясн*", "разобраться", "разбираться", "урок*",
                "лекци*", "академи*", "школ*", "новичк*", "справк*", "наставник*",
                "разбор*", "статья",
            ),
        },
        "en": {
            "strong": (
                "webinar*", "training*", "tutorial*", "guide", "guides", "doc", "docs", "documentation*",
                "onboard*", "knowledge base*", "faq*", "course*", "manual*", "instruction*", "education*",
                "how to guide*", "case stud*",
            ),
            "weak": (
                "learn*", "explain*", "figure out", "figure things out", "workshop*", "academy", "wiki",
                "help center", "how to", "guideline*", "best practice*", "tips", "mentor*", "article*",
            ),
        },
    },
}

# Phrases that look like an area keyword but are not about any area.
NEUTRAL: Final[tuple[str, ...]] = (
    "conversion rate*", "conversion*", "exchange rate*", "курс валют*", "курс обмен*",
    "конверси*", "ставк* на спорт*", "sport* bet*",
)

# --------------------------------------------------------------------------- stop-words (top_phrases)
# Russian entries are lemmas (pymorphy3 normal forms); English ones are lower-case words.

NEGATIONS: Final[frozenset[str]] = frozenset({
    "не", "not", "never", "no", "don't", "doesn't", "didn't", "can't", "cannot", "isn't", "aren't",
    "wasn't", "weren't", "won't", "couldn't", "wouldn't", "haven't", "hasn't", "dont", "doesnt", "didnt",
    "cant", "isnt", "arent", "wont", "wasnt",
})

RU_STOPWORDS: Final[frozenset[str]] = frozenset("""
и в во не ни что он на я с со как а то весь она так его но да ты к у же вы за бы по только ее её мне
вот от меня еще ещё нет о об обо из ему теперь когда даже ну вдруг ли если уже или быть него до вас
нибудь опять уж вам ведь там потом себя ничто ей может они тут где есть надо ней для мы тебя их чем
сам чтоб чтобы без будто чего раз тоже себе под ж тогда кто этот тот потому какой совсем ним здесь
один почти мой тем нее сейчас куда зачем никогда можно при наконец два об другой хоть после над
больше через про всего них много разве три впрочем хорошо свой перед иногда лучше чуть нельзя
такой им более всегда конечно между это очень просто вообще ваш наш который также мочь хотеть
хотеться стать вроде типа пока так как-то какой-то кстати вполне либо ибо пусть вон ага угу ок окей
норм нормально спасибо пасиб спс пожалуйста плиз плз хз короче блин ой щас че чё что-то кое-что
всё все ничего каждый свое своё нужный нужно надо бывать который-то итак однако зато
хороший отличный плохой новый сделать добавить хотеться нравиться супер класс топ
""".split())

EN_STOPWORDS: Final[frozenset[str]] = frozenset("""
a an the is are was were be been being am i me my mine we us our ours you your yours he him his she
her it its they them their this that these those of to in on for with at by from as and or but if so
than too very just also really about into over after before again more most some any all what which
who whom when where why how do does did doing done have has had having will would can could should
may might must shall there here get got gets getting please pls plz thanks thank thx ty lol tbh imo
imho btw ok okay yeah yes hi hello guys one ever much many lot lots quite bit kind sort thing things
it's i'm i've i'd i'll you're we're they're that's there's let's im ive dont doesnt cant wont via
only even still then now well own same other such each both few through during until while out up
down off because though although overall always sometime sometimes maybe actually honestly literally
good great nice bad new need needs want like make add love awesome cool
""".split())
