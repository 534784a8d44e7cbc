"""Words that carry no theme: negations (kept with the next word) and stop-words, skipped by
the digest's frequent phrases (``storage.analytics.phrases``) and the classifier's learned
keywords (``storage.analytics.themes.memory``).

Russian entries are lemmas (pymorphy3 normal forms); English ones are lower-case words.
"""

from typing import Final

NEGATIONS: Final[frozenset[str]] = frozenset(
    {
        "не",
        "not",
        "never",
        "no",
        "don't",
        "doesn't",
        "didn't",
        "can't",
        "cannot",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "won't",
        "couldn't",
        "wouldn't",
        "haven't",
        "hasn't",
        "dont",
        "doesnt",
        "didnt",
        "cant",
        "isnt",
        "arent",
        "wont",
        "wasnt",
    }
)

RU_STOPWORDS: Final[frozenset[str]] = frozenset(
    """
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
""".split()
)

EN_STOPWORDS: Final[frozenset[str]] = frozenset(
    """
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
""".split()
)
